"""The periodic table, read by `rq cron coopsaas.jobs.cron` (or `flask --app wsgi jobs cron`).

One entry does the daily work: every hour it fans the registered kinds out to the tenants whose
local time has just passed midnight (WIB, WITA and WIT differ by whole hours), so each tenant's
daily kinds run once a day at about 00:30 its own time, and its monthly kinds on the 1st.
A rerun or a second scheduler is harmless: queued copies share a job id and every kind is
guarded by its JobRun row.

Nothing here runs at import except the registration: the worker executes the functions.
"""

from rq import cron

from coopsaas.jobs.kinds import fan_out

cron.register(fan_out, queue_name="default", cron="30 * * * *", job_timeout=600, name="coopsaas_fan_out")
