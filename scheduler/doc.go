// Package scheduler runs leaseline's jobs on a timetable.
//
// # Jobs
//
// Five jobs, each a named type with Run(ctx, now) that handles everything
// due up to now (so a late run catches up and a second run for the same
// moment does nothing): schedule-visits (ScheduleVisits), reception-reminders
// (ReceptionReminders), review-sla (ReviewSLA), customer-reminders
// (CustomerReminders) and visit-no-shows (VisitNoShows). Scheduler.RunJob runs one by hand as if it were a
// given time (`leaseline jobs run NAME --at RFC3339`). The business rules
// and their transactions are the store's; the jobs only list due work and
// call one idempotent use case per item (schedule-visits: per batch of
// tickets, store.BookVisits).
//
// # Timetable
//
// Config.Timetable holds robfig/cron/v3 specs (five fields or descriptors),
// evaluated in Config.TimeZone (the regions' zone, Asia/Shanghai by default)
// unless a spec names its own with CRON_TZ=. Config.Validate names a bad
// spec, an unknown job or zone. Dates inside the jobs (next workday, the
// morning of a visit) follow each region's own calendar and zone.
//
// # Exactly once per tick: River
//
// Every replica runs Scheduler.Run. At each tick of each job every replica
// inserts the same River job, leaseline_tick {job, tick}, unique by its
// args: the first insert wins, later ones are skipped, also after the first
// has completed (River keeps completed jobs for days, longer than the
// catch-up window); River's workers, in whichever replica fetches it first,
// run it once. A run that fails is retried by River with backoff; a replica
// killed mid-run leaves its tick "running" and River rescues it after
// JobTimeout + 5m; meanwhile the next tick's run handles what is due, and
// the use cases make a rerun harmless. At start each replica also inserts
// the latest tick within Config.CatchUp, so a tick missed while no process
// ran (deploy, failover) runs once when the first replica comes back.
//
// Why River and not River's own periodic jobs: periodic jobs are inserted by
// the elected leader only, and a leader killed between ticks loses the
// ticks until another is elected (measured here: ~16 s, ticks skipped, not
// caught up); inserting unique tick jobs from every replica needs no leader
// for the timetable, and the ticks stay deterministic (the same tick is the
// same text on every replica), which the tests drive without a wall clock.
// Why River and not a hand-written (job, tick) table: River brings the
// durable queue, the retries, the rescue of a crashed run, the job timeout
// and a history of runs, on PostgreSQL (riverdatabasesql, sharing the
// store's *sql.DB) and on the embedded SQLite file (riversqlite), with its
// migrations applied by Scheduler.Migrate at start.
//
// Exactly-once of the effects does not rest on River alone: a visit is
// booked through the store's lifecycle engine (locked connection, version
// check) with a unique visits.ticket_id, and every notice has a unique key,
// so two runs of the same tick (a manual run beside the timetable, a rescued
// run) book nothing twice and tell nobody twice.
//
// The notices the jobs record are delivered by bot.DeliveryWorker, woken
// by the store as soon as a job's transaction commits.
package scheduler
