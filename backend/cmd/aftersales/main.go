// Command aftersales is the after-sales service operations platform:
// serve, migrate, seed, users, audit, check, openapi and version subcommands.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // the enterprise zone must load on hosts without tzdata

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/app"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/config"
	"github.com/aftersales/aftersales/backend/internal/consistency"
	"github.com/aftersales/aftersales/backend/internal/migrations"
)

const usage = `aftersales — after-sales service operations platform

Usage:
  aftersales serve [--demo]                 run the server (migrates first; --demo seeds an empty database)
  aftersales migrate                        apply pending schema migrations
  aftersales seed --demo                    create the demo enterprise
  aftersales seed --scale N [--cpuprofile F] generate N tickets (and proportional data) for benchmarks
  aftersales users create --username U --password P --roles admin[,…] [--outlet ID] [--expires 2027-01-31]
  aftersales users reset-password --username U --password P
  aftersales audit verify                   check the audit trail's hash chain
  aftersales check [--json] [--max N]       walk the cross-domain invariants; exit 1 naming every violating record
  aftersales openapi                        print the OpenAPI document generated from the route table
  aftersales version

Global flags (before the subcommand): --config PATH (default configs/aftersales.yaml when present; the
shipped defaults and standards are built into the binary, so it runs from any directory)
Every configuration key can be set with AFTERSALES_<KEY>, e.g. AFTERSALES_DB_DRIVER=mysql.
`

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "aftersales:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	global := flag.NewFlagSet("aftersales", flag.ContinueOnError)
	cfgPath := global.String("config", "configs/aftersales.yaml", "configuration file")
	global.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	if err := global.Parse(args); err != nil {
		return err
	}
	rest := global.Args()
	if len(rest) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("missing subcommand")
	}
	cmd, cmdArgs := rest[0], rest[1:]
	if cmd == "version" {
		fmt.Println("aftersales", app.Version)
		return nil
	}
	if cmd == "openapi" {
		// Needs no configuration or database: the document comes from the
		// route table's declared types (docs/openapi.json is this output).
		return writeJSON(os.Stdout, app.OpenAPIDocument())
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Print(usage)
		return nil
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = actor.With(ctx, actor.System("cli"))

	switch cmd {
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		demoFlag := fs.Bool("demo", false, "seed the demo enterprise when the database is empty")
		if err := fs.Parse(cmdArgs); err != nil {
			return err
		}
		a, err := app.New(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer a.Close()
		if *demoFlag {
			seeded, skipped, err := a.SeedDemoIfEmpty(ctx)
			if err != nil {
				return err
			}
			if seeded {
				printDemo(cfg)
			} else {
				// Say so: a silent skip looks like a seeded demo with wrong passwords.
				fmt.Println("demo: seeding skipped: " + skipped)
				log.Warn("demo seeding skipped", "reason", skipped)
			}
		}
		fmt.Printf("aftersales %s serving on http://%s (database: %s)\n", app.Version, displayAddr(cfg.HTTP.Addr), cfg.DB.Driver)
		return a.Serve(ctx)
	case "migrate":
		a, err := app.OpenCore(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer a.Close()
		ids, err := migrations.Applied(a.DB)
		if err != nil {
			return err
		}
		fmt.Printf("schema up to date: %d migrations applied (latest %s)\n", len(ids), ids[len(ids)-1])
		return nil
	case "seed":
		fs := flag.NewFlagSet("seed", flag.ContinueOnError)
		demoFlag := fs.Bool("demo", false, "create the demo enterprise")
		scale := fs.Int("scale", 0, "generate this many tickets with proportional data, for benchmarks")
		cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the seeding to this file (go tool pprof)")
		if err := fs.Parse(cmdArgs); err != nil {
			return err
		}
		if *cpuProfile != "" {
			stop, err := startCPUProfile(*cpuProfile)
			if err != nil {
				return err
			}
			defer stop()
		}
		if !*demoFlag && *scale <= 0 {
			return errors.New("seed: give --demo or --scale N")
		}
		if *scale > 0 {
			// Rebuilding a deferred index of tens of millions of rows (ALTER
			// TABLE … ADD INDEX) answers after minutes: db.io_timeout bounds
			// request-sized reads and would cut the connection mid-build.
			cfg.DB.IOTimeout = 0
			// The generators allocate ~10⁸ short-lived values at 5M tickets;
			// collecting at 4× the live heap instead of 2× halves the
			// collector's share of the CPU for a few hundred MB more.
			if os.Getenv("GOGC") == "" {
				debug.SetGCPercent(400)
			}
		}
		a, err := app.New(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer a.Close()
		if *demoFlag {
			if err := a.SeedDemo(ctx); err != nil {
				return err
			}
			printDemo(cfg)
		}
		if *scale > 0 {
			start := time.Now()
			err := a.SeedScale(ctx, *scale, func(s app.ScaleStep) {
				fmt.Printf("  %-26s %10s  %11d rows\n", s.Name, s.Duration.Round(time.Millisecond), s.Rows)
			})
			if err != nil {
				return err
			}
			fmt.Printf("scale data: %d tickets in %s\n", *scale, time.Since(start).Round(time.Millisecond))
		}
		return nil
	case "users":
		return usersCmd(ctx, cfg, log, cmdArgs)
	case "check":
		fs := flag.NewFlagSet("check", flag.ContinueOnError)
		asJSON := fs.Bool("json", false, "print the report as JSON")
		limit := fs.Int("max", 1000, "name at most this many records per invariant (the counts stay exact)")
		timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
		if err := fs.Parse(cmdArgs); err != nil {
			return err
		}
		a, err := app.OpenCore(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer a.Close()
		rep, err := consistency.New(a.DB, consistency.Options{MaxPerInvariant: *limit, Timeout: *timeout}).Run(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				return err
			}
		} else {
			fmt.Print(rep.Text())
		}
		if !rep.OK() {
			return fmt.Errorf("consistency check: %d violation(s)", rep.Violations)
		}
		return nil
	case "audit":
		if len(cmdArgs) == 0 || cmdArgs[0] != "verify" {
			return errors.New("audit: usage: aftersales audit verify")
		}
		a, err := app.OpenCore(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer a.Close()
		res, err := a.Audit.Verify(ctx, a.DB)
		if err != nil {
			return err
		}
		for _, g := range res.Gaps {
			fmt.Printf("warning: %s\n", g)
		}
		if !res.OK {
			fmt.Printf("audit trail BROKEN at record %d: %s (%d records verified before it)\n", res.BrokenAtSeq, res.Reason, res.Checked)
			return errors.New("audit trail verification failed")
		}
		fmt.Printf("audit trail intact: %d records verified, %d signed checkpoints (last at record %d) match the sink %s; %d leaves awaiting the sequencer\n",
			res.Checked, res.Checkpoints, res.LastCheckpoint, res.Sink, res.Unsequenced)
		return nil
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown subcommand %q", cmd)
	}
}

func usersCmd(ctx context.Context, cfg *config.Config, log interface{ Info(string, ...any) }, args []string) error {
	if len(args) == 0 {
		return errors.New("users: give create or reset-password")
	}
	fs := flag.NewFlagSet("users "+args[0], flag.ContinueOnError)
	username := fs.String("username", "", "login name")
	password := fs.String("password", "", "password (8+ characters)")
	display := fs.String("name", "", "display name")
	roles := fs.String("roles", "admin", "comma-separated roles: "+strings.Join(auth.AllRoles, ","))
	outlet := fs.Uint64("outlet", 0, "outlet id (outlet managers, technicians)")
	expires := fs.String("expires", "", "account expiry date YYYY-MM-DD (required for auditors)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	a, err := app.OpenCore(ctx, cfg, app.NewLogger(cfg))
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "create":
		in := auth.NewUser{Username: *username, DisplayName: *display, Password: *password, Roles: strings.Split(*roles, ",")}
		if *outlet > 0 {
			in.OutletID = outlet
		}
		if *expires != "" {
			t, err := time.ParseInLocation("2006-01-02", *expires, cfg.Location())
			if err != nil {
				return fmt.Errorf("users create: --expires: want YYYY-MM-DD")
			}
			in.ExpiresAt = &t
		}
		u, err := a.Auth.CreateUser(ctx, in)
		if err != nil {
			return fmt.Errorf("users create: %w", err)
		}
		fmt.Printf("created user %s (id %d, roles %s)\n", u.Username, u.ID, u.Roles)
	case "reset-password":
		u, err := a.Auth.FindByUsername(ctx, *username)
		if err != nil {
			return fmt.Errorf("users reset-password: %w", err)
		}
		if err := a.Auth.ResetPassword(ctx, u.ID, *password); err != nil {
			return fmt.Errorf("users reset-password: %w", err)
		}
		fmt.Printf("password of %s reset; their sessions were revoked\n", u.Username)
	default:
		return fmt.Errorf("users: unknown action %q", args[0])
	}
	return nil
}

func displayAddr(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "localhost" + addr
	}
	return addr
}

func printDemo(cfg *config.Config) {
	fmt.Println("demo enterprise ready. logins (password: " + cfg.Demo.Password + ", set AFTERSALES_DEMO_PASSWORD to change):")
	fmt.Println("  admin · agent · outlet_manager · technician · quality · auditor")
}

// writeJSON writes v as indented JSON with a final newline (the committed
// docs/openapi.json is this output, so it diffs line by line).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// startCPUProfile profiles the process's CPU into path until the returned
// function is called (seed --cpuprofile: where a scale seed spends its time).
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
