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
// ({% gm_if 3 %}…{% gm_elif %}…{% gm_endif %}, {% gm_for 5 %}, {% gm_run 2 %})
// that point at pieces by index; pongo2 parses that block structure with
// its own parser and executes the resulting node tree through its
// INode/NodeWrapper/TemplateWriter machinery. Expressions are evaluated by
// this package with Python semantics (see eval.go, printing.go).
//
// # Shapes and pieces
//
// The emitted pongo2 text carries only the block structure: every run of
// leaf statements (text, {{ output }}, set, do, break, continue) becomes
// one {% gm_run N %}, every block statement one indexed tag, and text and
// expressions stay in the template's table of pieces (a unit), numbered in
// the order the tags appear. The emitted text is therefore a function of
// the template's shape (emit.go encodes it as a short opcode string), and
// many templates share it: dbt models mostly differ in their text and
// expressions, not in their if/for/macro structure.
//
// pongo2 parses each distinct shape once per process. The resulting tree
// (a skeleton) is cached by shape in a bounded cache and shared by every
// template of that shape; its nodes hold piece indexes, never pieces. A
// Template is its own unit bound to a skeleton: Parse gives the unit's
// Macros and dbt Blocks their bodies from the skeleton, and a render
// resolves indexes through the unit of the code running now (State.u),
// which a macro call switches to the macro's own unit and back. Skeletons
// and units are immutable once built, so any number of renders, of the same
// or of different templates, run concurrently on them.
//
// Nodes find their render through the TemplateWriter: the engine hands
// pongo2 only the State's own writer, which appends to the State's output
// buffer. That buffer is also a stack for output that is captured rather
// than written (macro calls, {% set %} and {% filter %} blocks, recursive
// loops): each appends from where the buffer ends and takes its text back
// off, so nested output needs no buffers of its own. Render borrows the
// buffer from a pool and copies the result out.
//
// Parsing is allocation-conscious: tokens hold no pointers (values are
// ranges of the source; an operator's bytes are packed in its number), the
// lexer counts the tokens that size the per-parse slabs the frequent AST
// nodes come from, the lexer's and parser's working buffers are pooled and
// child lists are carved from shared backing arrays. The expression parser
// takes a fast path for an operand followed by a closing token; when an
// operator follows, the operand it parsed is handed to the full precedence
// descent, never parsed twice. Calls without keyword arguments share one
// empty Kwargs dict, which is why Call.Kwargs must not be modified.
//
// The first chunks of the slabs and child arrays form an arena. When a
// template is dropped, Template.Release hands its arena to the next parse
// (through a pool, cleared and bounded in size), so a compile that parses,
// renders and drops thousands of models reuses the same memory rather
// than touching fresh heap pages for each. Only a template whose nodes
// nothing else can reach after a render gets a recyclable arena: one that
// defines a macro, a {% call %} caller, a recursive loop or a dbt block
// does not, since those keep pointers to its nodes. Values a render
// returns never point into the arena (constants are boxed separately, and
// lists and dicts are built fresh).
//
// Rendering recycles what a call leaves behind: {{ macro(...) }} writes
// the macro's output in place, macro arguments live on the State's value
// stack, and the keyword-argument dicts of macro calls and the scopes of
// returned calls, loops and with blocks go back to a per-render free list
// unless a closure (a macro defined in a block, a {% call %} caller, a
// recursive loop) captured them. Per-render names can come from a Vars
// (RenderVars) instead of a map.
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
