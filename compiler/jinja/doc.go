// Package jinja is gmodel's Jinja2 template engine: it parses and renders
// dbt models, macros and blocks the way Jinja2 3.1 (configured as dbt
// configures it) does, byte for byte. The compiler and the dbt context layer
// use it; they add dbt's functions (ref, source, config, adapter, ...)
// through Env.Globals, per-render vars and Env.Resolve.
//
// pongo2 is the execution host, but it parses almost no real Jinja, so the
// engine has its own front end: a Jinja2 lexer (whitespace control, raw,
// comments, newline rules), a full expression parser and a block checker,
// all reporting errors at file:line:col of the original source. The parsed
// template is then emitted as a pongo2 template made of one-line custom tags
// ({% gm_if 3 %}…{% gm_else %}…{% gm_endif %}, {% gm_for 5 %}, {% gm_run 2 %})
// that point at precompiled pieces; pongo2 parses that block structure with
// its own parser and executes the resulting node tree through its
// INode/NodeWrapper/TemplateWriter machinery. Expressions are evaluated by
// this package with Python semantics (see eval.go, printing.go).
//
// Values are plain Go values (see Value). A Template is immutable after
// Parse and may be rendered from many goroutines at once; all per-render
// state lives in a State.
//
// Differences from Jinja2 worth knowing: no template inheritance, include or
// import (dbt does not use them); Markup is approximated (escape of an
// escaped or safe value in the same expression is not re-escaped); integers
// are 64-bit; `*args` in a macro signature is rejected exactly as Jinja2 does.
package jinja
