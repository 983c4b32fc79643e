"""Loans (*pinjaman*) and sharia financing (*pembiayaan*).

Pure calculators, with no database and no Flask, so services, jobs, reports and tests share them:

- `schedule`: instalment schedules (FLAT, EFEKTIF, ANUITAS, MURABAHAH, QARDH, BULLET) and rescheduling;
- `allocation`: repayment allocation, late penalties (*denda*) and early settlement;
- `collectibility`: days past due, *kolektibilitas* classes and the loss reserve (PPAP);
- `portfolio`: PAR, NPL, RPM and the portfolio by class.

The rules are those of `domain/loans.md` (and `domain/sharia.md` for murabahah and qardh).
"""
