package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// Login throttling (issue 10, items 4 and 5). Three counters, all rows of
// login_failures so that every instance sees them:
//
//   - "pair:<account>@<address>": failures of one account from one
//     address. At LockoutAfter that pair is locked for LockoutFor. This is
//     the only hard lock an account gets, and it locks only the address
//     that guessed.
//   - "acct:<account>": failures of one account from addresses it has
//     never logged in from. From SlowdownAfter on, each failure makes the
//     next such attempt wait SlowdownBase·2^(n−SlowdownAfter), at most
//     LockoutFor. An address the account logged in from successfully
//     (within KnownAddressFor) skips this counter, so an attacker on other
//     addresses cannot keep the owner out.
//   - "ip:<address>": failures from one address over all accounts; at
//     IPLockoutAfter the address is locked.
//
// An attempt is counted before its password is evaluated, in one
// transaction that holds the counters' rows, and refused on the
// incremented value: parallel attempts cannot all slip past the limit.

// LoginAddress is an address from which an account logged in successfully.
type LoginAddress struct {
	UserID  uint64 `gorm:"primaryKey;autoIncrement:false"`
	IP      string `gorm:"primaryKey"`
	FirstAt time.Time
	LastAt  time.Time
}

// TableName pins the table of migration 0020.
func (LoginAddress) TableName() string { return "login_addresses" }

// maxKey is the size of login_failures.key.
const maxKey = 191

// throttleKey builds a counter key; one that would not fit the column is
// replaced by its hash (the username is length-checked before, so this
// is a guard, not the rule).
func throttleKey(kind, id string) string {
	k := kind + ":" + id
	if len(k) <= maxKey {
		return k
	}
	sum := sha256.Sum256([]byte(id))
	return kind + ":#" + hex.EncodeToString(sum[:])
}

// attemptKeys are the counters of one login attempt.
type attemptKeys struct {
	ip, pair, acct string // acct is empty for a known address
}

func (k attemptKeys) all() []string {
	out := []string{k.ip, k.pair}
	if k.acct != "" {
		out = append(out, k.acct)
	}
	sort.Strings(out) // one lock order for every attempt: no deadlocks between them
	return out
}

// knownAddress reports whether the user logged in successfully from ip
// within KnownAddressFor.
func (s *Service) knownAddress(ctx context.Context, userID uint64, ip string, now time.Time) (bool, error) {
	var n int64
	err := s.o.DB.WithContext(ctx).Model(&LoginAddress{}).
		Where("user_id = ? AND ip = ? AND last_at >= ?", userID, ip, now.Add(-s.o.KnownAddressFor)).Count(&n).Error
	if err != nil {
		return false, apperr.Internal(fmt.Errorf("login: known address: %w", err))
	}
	return n > 0, nil
}

// reserveAttempt counts the attempt on every counter and decides on the
// incremented values. It returns a rate_limited error when the attempt
// must not be evaluated. Every lock it sets is audited in the same
// transaction.
func (s *Service) reserveAttempt(ctx context.Context, username string, k attemptKeys, ip string, now time.Time) error {
	var err error
	for try := 0; try < 5; try++ {
		if err = s.tryReserve(ctx, username, k, ip, now); err == nil || apperr.IsKind(err, apperr.KindRateLimited) {
			return err
		}
		// A deadlock or a row deleted under us (a parallel success): again.
		time.Sleep(time.Duration(try+1) * 5 * time.Millisecond)
	}
	return apperr.Internal(fmt.Errorf("login: reserve attempt: %w", err))
}

func (s *Service) tryReserve(ctx context.Context, username string, k attemptKeys, ip string, now time.Time) error {
	keys := k.all()
	// Make sure the rows exist, outside the transaction: inserting a new
	// row under concurrency is what deadlocks InnoDB, locking one does not.
	for _, key := range keys {
		row := LoginFailure{Key: key, FirstAt: now, LastAt: now}
		if err := s.o.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return err
		}
	}
	var refused error
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := db.ForUpdate(tx)
		var rows []LoginFailure
		if err := q.Where("`key` IN ?", keys).Order("`key`").Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) != len(keys) {
			return errors.New("a counter row vanished")
		}
		byKey := map[string]*LoginFailure{}
		for i := range rows {
			r := &rows[i]
			if now.Sub(r.LastAt) > s.o.FailureWindow && (r.LockedUntil == nil || !r.LockedUntil.After(now)) {
				r.Failures, r.FirstAt, r.LockedUntil = 0, now, nil // forgotten
			}
			byKey[r.Key] = r
		}
		// Refused without evaluation while any counter is locked.
		var until time.Time
		for _, r := range rows {
			if r.LockedUntil != nil && r.LockedUntil.After(now) && r.LockedUntil.After(until) {
				until = *r.LockedUntil
			}
		}
		if !until.IsZero() {
			refused = apperr.RateLimited("too many failed logins; try again later", int(math.Ceil(until.Sub(now).Seconds())))
			return nil
		}
		// Count this attempt and decide on the incremented values.
		var events []audit.Entry
		lock := func(r *LoginFailure, d time.Duration) time.Time {
			t := now.Add(d)
			r.LockedUntil = &t
			return t
		}
		if r := byKey[k.ip]; r != nil {
			r.Failures++
			if s.o.IPLockoutAfter > 0 && r.Failures >= s.o.IPLockoutAfter {
				t := lock(r, s.o.LockoutFor)
				events = append(events, audit.Entry{Action: "login_address_locked", Entity: "address", EntityID: ip,
					After: map[string]any{"failures": r.Failures, "locked_until": t}})
			}
		}
		if r := byKey[k.pair]; r != nil {
			r.Failures++
			if s.o.LockoutAfter > 0 && r.Failures >= s.o.LockoutAfter {
				t := lock(r, s.o.LockoutFor)
				events = append(events, audit.Entry{Action: "login_locked", Entity: "user", EntityID: username,
					After: map[string]any{"scope": "account_address", "address": ip, "failures": r.Failures, "locked_until": t}})
			}
		}
		if r := byKey[k.acct]; r != nil && k.acct != "" {
			r.Failures++
			if s.o.SlowdownAfter > 0 && r.Failures >= s.o.SlowdownAfter {
				d := s.slowdown(r.Failures)
				t := lock(r, d)
				events = append(events, audit.Entry{Action: "login_slowed", Entity: "user", EntityID: username,
					After: map[string]any{"scope": "account", "address": ip, "failures": r.Failures, "delay_seconds": d.Seconds(), "next_attempt_at": t}})
			}
		}
		for _, r := range rows {
			r.LastAt = now
			if err := tx.Model(&LoginFailure{}).Where("`key` = ?", r.Key).Updates(map[string]any{
				"failures": r.Failures, "first_at": r.FirstAt, "last_at": r.LastAt, "locked_until": r.LockedUntil}).Error; err != nil {
				return err
			}
		}
		for _, e := range events {
			if err := s.o.Audit.Record(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return refused
}

// slowdown is the wait after the n-th failure of an account from unknown
// addresses: SlowdownBase doubled per failure past SlowdownAfter, at most
// LockoutFor.
func (s *Service) slowdown(n int) time.Duration {
	exp := n - s.o.SlowdownAfter
	if exp > 30 {
		return s.o.LockoutFor
	}
	d := s.o.SlowdownBase << exp
	if d <= 0 || d > s.o.LockoutFor {
		return s.o.LockoutFor
	}
	return d
}

// loginSucceeded clears the pair counter, gives back the reservation this
// attempt took on the address and account counters (a success is not a
// failure; the failures before it stay counted) and remembers the
// address, inside the login's transaction.
func (s *Service) loginSucceeded(tx *gorm.DB, userID uint64, k attemptKeys, ip string, now time.Time) error {
	if err := tx.Where("`key` = ?", k.pair).Delete(&LoginFailure{}).Error; err != nil {
		return err
	}
	giveBack := func(key string, limit int) error {
		if err := tx.Model(&LoginFailure{}).Where("`key` = ? AND failures > 0", key).Update("failures", gorm.Expr("failures - 1")).Error; err != nil {
			return err
		}
		// A lock this very attempt set (it was the limit-th) is lifted.
		return tx.Model(&LoginFailure{}).Where("`key` = ? AND failures < ?", key, limit).Update("locked_until", nil).Error
	}
	if err := giveBack(k.ip, s.o.IPLockoutAfter); err != nil {
		return err
	}
	if k.acct != "" {
		if err := giveBack(k.acct, s.o.SlowdownAfter); err != nil {
			return err
		}
	}
	if ip == "" {
		return nil
	}
	a := LoginAddress{UserID: userID, IP: truncate(ip, 64), FirstAt: now, LastAt: now}
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "user_id"}, {Name: "ip"}},
		DoUpdates: clause.Assignments(map[string]any{"last_at": now})}).Create(&a).Error
}

func keysFor(username, ip string, known bool) attemptKeys {
	name := strings.ToLower(username)
	k := attemptKeys{ip: throttleKey("ip", ip), pair: throttleKey("pair", name+"@"+ip)}
	if !known {
		k.acct = throttleKey("acct", name)
	}
	return k
}
