// Package selector implements dbt's node selection grammar for gmodel:
// --select, --exclude, --selector, --resource-type, --indirect-selection and
// selectors.yml, with the same results dbt would give on the same graph.
//
// Commands that pick nodes (run, build, test, ls, compile, seed, snapshot)
// build a Graph once from the parsed project and call Select with the flags
// the user gave; the result is a sorted list of unique IDs.
//
// The semantics follow dbt-core's core/dbt/graph (selector_spec.py,
// selector_methods.py, selector.py, cli.py) rather than its documentation
// where the two differ; the places where gmodel is deliberately stricter are
// marked "stricter than dbt" in the source.
package selector
