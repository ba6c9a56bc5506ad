package selector

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary --select and --exclude values through Select:
// it must not panic, must return *Error on failure, and must return sorted
// unique IDs of the graph. Eager selection takes the most tests, so
// without a set difference (which selector: can bring in) the other modes
// select subsets of it.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{"tag:nightly", "+customers,orders+", "@source:raw", "2+path:models/**+1"} {
		f.Add(seed)
	}
	g := NewGraph(jaffleNodes())
	s := loadSelectors(f)
	valid := map[string]bool{}
	for _, n := range g.nodes {
		valid[n.UniqueID] = true
	}
	f.Fuzz(func(t *testing.T, value string) {
		results := map[string][]string{}
		for _, mode := range []string{"eager", "cautious", "buildable", "empty"} {
			got, err := Select(g, Options{Select: []string{value}, IndirectSelection: mode, Selectors: s})
			if err != nil {
				var se *Error
				if !errors.As(err, &se) {
					t.Fatalf("error %T is not an *Error: %v", err, err)
				}
				return
			}
			checkIDs(t, got, valid)
			results[mode] = got
		}
		for _, mode := range []string{"cautious", "buildable", "empty"} {
			if strings.Contains(value, "selector:") {
				break
			}
			for _, id := range results[mode] {
				if !slices.Contains(results["eager"], id) {
					t.Fatalf("%s selected %s, which eager did not", mode, id)
				}
			}
		}
		got, err := Select(g, Options{DefaultAll: true, Exclude: []string{value}, Selectors: s})
		if err != nil {
			t.Fatalf("exclude failed where select succeeded: %v", err)
		}
		checkIDs(t, got, valid)
	})
}

// FuzzParseSelectors checks that no selectors file makes ParseSelectors or
// Select panic, and that errors carry positions.
func FuzzParseSelectors(f *testing.F) {
	g := NewGraph(jaffleNodes())
	valid := map[string]bool{}
	for _, n := range g.nodes {
		valid[n.UniqueID] = true
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSelectors("selectors.yml", data)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T is not an ErrorList: %v", err, err)
			}
			for _, e := range list {
				if e.File != "selectors.yml" {
					t.Fatalf("error without its file: %v", e)
				}
			}
			return
		}
		for _, name := range s.Names() {
			got, err := Select(g, Options{Selector: name, Selectors: s})
			if err != nil {
				var se *Error
				if !errors.As(err, &se) {
					t.Fatalf("error %T is not an *Error: %v", err, err)
				}
				continue
			}
			checkIDs(t, got, valid)
		}
	})
}

func checkIDs(t *testing.T, got []string, valid map[string]bool) {
	t.Helper()
	if !slices.IsSorted(got) {
		t.Fatalf("result not sorted: %v", got)
	}
	if len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Fatalf("result has duplicates: %v", got)
	}
	for _, id := range got {
		if !valid[id] {
			t.Fatalf("unknown ID %q", id)
		}
	}
}
