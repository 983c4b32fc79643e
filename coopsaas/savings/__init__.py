"""Member savings: simpanan pokok, wajib, sukarela and berjangka (domain/savings.md)."""
