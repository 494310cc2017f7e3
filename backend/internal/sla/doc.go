// Package sla computes service-level deadlines and clock states for tickets.
// It is pure: no database, no clock of its own, no globals; every function
// takes the instants it needs and returns values.
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
