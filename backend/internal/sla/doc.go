// Package sla is the service-level domain of tickets: the deadline and clock
// arithmetic, and the data it works on.
//
// The arithmetic (calendar.go, clock.go, policy.go) is pure: no database, no
// clock of its own, no globals; every function takes the instants it needs
// and returns values, and is table-tested. The [Store] (model.go, store.go,
// log.go, defaults.go) keeps the data: business calendars and policies
// ([CalendarRow], [PolicyRow]: stored as data, editable by an administrator),
// the per-ticket SLA event log ([EventRow]), the results frozen when a ticket
// closes ([ResultRow]) and the warning/breach alerts a scheduler job has
// raised ([Alert]). The store never computes a deadline itself. Tickets and
// work orders append to the log inside their own transactions ([Store.Append]
// takes the caller's tx), so a status change and its SLA event commit or fail
// together.
//
// Three parts:
//
//   - [Calendar] says when the clock runs: several working intervals per
//     weekday, holidays, and 调休 make-up workdays (a weekend date that is a
//     working day), or 24×7. [Calendar.Add] and [Calendar.WorkingBetween]
//     are inverse operations on working time; they step a day at a time and
//     stop at documented limits ([MaxClosedDays], [MaxSpan]).
//   - [Evaluate] replays a ticket's SLA event log ([Event]) into one
//     [ClockState] per [Target] (first response, outlet accept, customer
//     contact, on-site arrival, resolution). Target durations are frozen in
//     the events, so editing a [Policy] never rewrites a ticket.
//     [Thresholds] tells a scheduler which clocks crossed their warning or
//     breach threshold since its previous run. [Freeze] and [FinalResult]
//     fix a closed ticket's results against later calendar edits.
//   - [Select] picks the [Policy] for a ticket from [PolicyRule]s by ticket
//     type, priority and GB/T 2260 region, most specific rule first.
//
// How the service layer uses it: when a ticket is created, Select a policy
// and append [Policy.Apply] and a started event per clock that starts then;
// on each status change append paused/resumed/met/stopped/restarted events;
// to show a ticket, Evaluate with the policy's calendar; at close append a
// stopped event without target and store Freeze(Evaluate(...)); a periodic
// job calls Thresholds(events, cal, lastRun, now) and publishes the
// crossings.
package sla
