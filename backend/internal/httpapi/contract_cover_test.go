package httpapi_test

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// contractExempt lists the routes that no test of this package answers with
// a validated 2xx, each with the reason. Every other route must be covered:
// TestMain fails the package run naming the route.
var contractExempt = map[string]string{}

// enforceCoverage turns the coverage report into a failure once every route
// is covered or exempt (the contract walk lands in the next increment).
const enforceCoverage = false

// TestMain runs the package's tests; when all of them ran (no -run filter)
// and passed, it checks that every route of the table answered at least one
// 2xx that was validated against the OpenAPI document (contract_check_test.go).
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && theContract != nil {
		var missing []string
		for _, key := range theContract.uncovered() {
			if _, ok := contractExempt[key]; !ok {
				missing = append(missing, key)
			}
		}
		for key := range contractExempt {
			if theContract.hits[key] {
				missing = append(missing, key+" (covered now: remove it from contractExempt)")
			}
		}
		if len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: %d route(s) never answered a 2xx validated against the OpenAPI document; "+
				"make a request in a test (the contract walk in contract_walk_test.go, or the route's own test), "+
				"or list the route in contractExempt with the reason:\n", len(missing))
			for _, k := range missing {
				fmt.Fprintln(os.Stderr, "  "+k)
			}
			if enforceCoverage {
				code = 1
			}
		}
	}
	os.Exit(code)
}
