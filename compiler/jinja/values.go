package jinja

import (
	"fmt"
	"math"
	"reflect"
	"sort"
)

// Value is a Jinja value in Go: nil (None), Undefined, bool, int64, float64,
// string, *List, *Dict, a Callable (Func, *Macro) or any Go value that
// implements Getattrer or fmt.Stringer.
type Value = any

// Appender is implemented by a fmt.Stringer value that can print itself
// straight into the render output; {{ v }} then calls AppendTo instead of
// String. AppendTo(b) must append exactly what String returns.
type Appender interface {
	AppendTo(b []byte) []byte
}

// Undefined is the value of a name or attribute that does not exist. It prints
// as "", is falsy and iterates as empty; touching it any further (attribute
// access, calling it, arithmetic) is an error that names it.
type Undefined struct {
	Name string
	// msg replaces the default "'Name' is undefined" message, e.g. for a
	// missing attribute of a defined object.
	msg string
}

func (u Undefined) message() string {
	if u.msg != "" {
		return u.msg
	}
	if u.Name == "" {
		return "value is undefined"
	}
	return "'" + u.Name + "' is undefined"
}

// List is a Python list, or a tuple when Tuple is set.
type List struct {
	Items []Value
	Tuple bool
}

// smallList is a list and the backing array of its first few items, in
// one allocation.
type smallList struct {
	l   List
	buf [smallListCap]Value
}

const smallListCap = 4

// newListLen returns a list (or tuple) of n nil items.
func newListLen(n int, tuple bool) *List {
	if n <= smallListCap {
		s := &smallList{}
		s.l.Items, s.l.Tuple = s.buf[:n], tuple
		return &s.l
	}
	return &List{Items: make([]Value, n), Tuple: tuple}
}

// NewList returns a list holding items.
func NewList(items ...Value) *List { return &List{Items: items} }

// NewTuple returns a tuple holding items.
func NewTuple(items ...Value) *List { return &List{Items: items, Tuple: true} }

// Dict is an insertion-ordered dictionary, like a Python dict. Keys are
// hashable Values (string, int64, float64, bool, nil); equal numbers are the
// same key, as in Python (1, 1.0 and True).
type Dict struct {
	keys []Value
	vals []Value
	// idx is built only once the dict grows past a few entries: most dicts in
	// templates are tiny and a linear scan beats hashing them.
	idx map[Value]int
}

const dictIndexThreshold = 12

// NewDict returns an empty dict.
func NewDict() *Dict { return &Dict{} }

// emptyKwargs is the Kwargs of every call without keyword arguments. It is
// shared, so nothing may modify a Call's Kwargs.
var emptyKwargs = &Dict{}

// smallDict is a dict and the backing arrays of its first few entries, in
// one allocation.
type smallDict struct {
	d   Dict
	buf [2 * smallDictCap]Value
}

const smallDictCap = 4

// newKwargs returns an empty dict with room for n entries.
func newKwargs(n int) *Dict {
	if n <= smallDictCap {
		s := &smallDict{}
		s.d.keys, s.d.vals = s.buf[:0:smallDictCap], s.buf[smallDictCap:smallDictCap]
		return &s.d
	}
	buf := make([]Value, 2*n)
	return &Dict{keys: buf[:0:n], vals: buf[n:n]}
}

// NewDictSize returns an empty dict with room for n entries, allocated at
// once.
func NewDictSize(n int) *Dict { return newKwargs(n) }

// getStr is Get for a string key, without boxing it.
func (d *Dict) getStr(k string) (Value, bool) {
	if d == nil {
		return nil, false
	}
	if d.idx != nil {
		return d.Get(k)
	}
	for i, kk := range d.keys {
		if s, ok := kk.(string); ok && s == k {
			return d.vals[i], true
		}
	}
	return nil, false
}

// hashKey folds numerically equal keys together as Python does.
func hashKey(k Value) Value {
	switch x := k.(type) {
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<62 {
			return int64(x)
		}
	case int:
		return int64(x)
	case *List:
		// Tuples are hashable in Python; key them by their repr.
		return tupleKey{Repr(x)}
	}
	return k
}

func (d *Dict) find(k Value) int {
	k = hashKey(k)
	if d.idx != nil {
		if i, ok := d.idx[k]; ok {
			return i
		}
		return -1
	}
	for i, kk := range d.keys {
		if hashKey(kk) == k {
			return i
		}
	}
	return -1
}

func isHashable(k Value) bool {
	switch k.(type) {
	case nil, string, int64, float64, bool, int:
		return true
	case *List:
		return k.(*List).Tuple
	}
	return false
}

// Set inserts or replaces the value for k, keeping the original position of
// an existing key.
func (d *Dict) Set(k, v Value) {
	if i := d.find(k); i >= 0 {
		d.vals[i] = v
		return
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	if d.idx != nil {
		d.idx[hashKey(k)] = len(d.keys) - 1
	} else if len(d.keys) > dictIndexThreshold {
		d.reindex()
	}
}

type tupleKey struct{ repr string }

func (d *Dict) reindex() {
	d.idx = make(map[Value]int, len(d.keys))
	for i, k := range d.keys {
		d.idx[hashKey(k)] = i
	}
}

// Get returns the value stored for k.
func (d *Dict) Get(k Value) (Value, bool) {
	if d == nil {
		return nil, false
	}
	if !isHashable(k) {
		return nil, false
	}
	if i := d.find(k); i >= 0 {
		return d.vals[i], true
	}
	return nil, false
}

// Keys returns the keys in insertion order. The slice must not be modified.
func (d *Dict) Keys() []Value {
	if d == nil {
		return nil
	}
	return d.keys
}

// Values returns the values in insertion order. The slice must not be modified.
func (d *Dict) Values() []Value {
	if d == nil {
		return nil
	}
	return d.vals
}

// Len returns the number of entries.
func (d *Dict) Len() int {
	if d == nil {
		return 0
	}
	return len(d.keys)
}

// Delete removes k if present.
func (d *Dict) Delete(k Value) {
	i := d.find(k)
	if i < 0 {
		return
	}
	d.keys = append(d.keys[:i], d.keys[i+1:]...)
	d.vals = append(d.vals[:i], d.vals[i+1:]...)
	if d.idx != nil {
		d.reindex()
	}
}

// Copy returns a shallow copy.
func (d *Dict) Copy() *Dict {
	n := &Dict{keys: append([]Value(nil), d.keys...), vals: append([]Value(nil), d.vals...)}
	if d.idx != nil {
		n.reindex()
	}
	return n
}

// Getattrer is implemented by Go objects that expose attributes to templates
// (relations, `this`, namespaces such as `modules.datetime`, `adapter`).
// A false result makes the attribute undefined.
type Getattrer interface {
	Getattr(name string) (Value, bool)
}

// Call carries the arguments of a call from a template to a Callable.
type Call struct {
	Args []Value
	// Kwargs is never nil; keyword arguments appear in source order. It
	// must not be modified: calls without keyword arguments share one
	// empty Dict. A Go function may keep it: the engine reuses only the
	// keyword arguments of macro calls.
	Kwargs *Dict
	// Caller is the `caller` macro inside {% call %}, else nil.
	Caller Value
	// State is the running render.
	State *State
	// Line and Col are where the call is written, in State.File(); 0 when
	// the call does not come from template code (CallValue).
	Line, Col int
}

// Kwarg returns the keyword argument name, or the positional argument at pos
// when pos >= 0 and enough positional arguments were given.
func (c *Call) Kwarg(name string, pos int) (Value, bool) {
	if v, ok := c.Kwargs.Get(name); ok {
		return v, true
	}
	if pos >= 0 && pos < len(c.Args) {
		return c.Args[pos], true
	}
	return nil, false
}

// Func is a Go function callable from templates. A returned error is
// positioned by the engine at the call site.
type Func func(c *Call) (Value, error)

// CallJinja implements Callable.
func (f Func) CallJinja(c *Call) (Value, error) { return f(c) }

// Callable is anything a template can call.
type Callable interface {
	CallJinja(c *Call) (Value, error)
}

// Namespace is the object made by namespace(): the one object whose
// attributes templates may assign ({% set ns.x = 1 %}).
type Namespace struct{ d *Dict }

// Getattr implements Getattrer.
func (n *Namespace) Getattr(name string) (Value, bool) { return n.d.Get(name) }

// Setattr assigns an attribute.
func (n *Namespace) Setattr(name string, v Value) { n.d.Set(name, v) }

// pyRange is the lazy result of range(); printing it matches Python.
type pyRange struct{ start, stop, step int64 }

func (r pyRange) items() []Value {
	var out []Value
	if r.step > 0 {
		for i := r.start; i < r.stop; i += r.step {
			out = append(out, i)
		}
	} else {
		for i := r.start; i > r.stop; i += r.step {
			out = append(out, i)
		}
	}
	return out
}

func (r pyRange) String() string {
	if r.step == 1 {
		return fmt.Sprintf("range(%d, %d)", r.start, r.stop)
	}
	return fmt.Sprintf("range(%d, %d, %d)", r.start, r.stop, r.step)
}

// FromGo converts common Go values (ints, floats, slices, string-keyed maps)
// into Jinja values. Maps are ordered by sorted key so output is deterministic.
func FromGo(v any) Value {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, *List, *Dict, Undefined:
		return v
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case uint:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case float32:
		return float64(x)
	case []Value:
		l := &List{Items: make([]Value, len(x))}
		for i, it := range x {
			l.Items[i] = FromGo(it)
		}
		return l
	case []string:
		l := &List{Items: make([]Value, len(x))}
		for i, it := range x {
			l.Items[i] = it
		}
		return l
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := NewDict()
		for _, k := range keys {
			d.Set(k, FromGo(x[k]))
		}
		return d
	case map[string]string:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := NewDict()
		for _, k := range keys {
			d.Set(k, x[k])
		}
		return d
	case func(c *Call) (Value, error):
		return Func(x)
	}
	return fromReflect(v)
}

// fromReflect converts other slices and string-keyed maps; it is only
// reached for Go values no fast path above knows.
func fromReflect(v any) Value {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if _, ok := v.(Getattrer); ok {
			return v
		}
		l := &List{Items: make([]Value, rv.Len())}
		for i := range l.Items {
			l.Items[i] = FromGo(rv.Index(i).Interface())
		}
		return l
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return v
		}
		if _, ok := v.(Getattrer); ok {
			return v
		}
		keys := make([]string, 0, rv.Len())
		for _, k := range rv.MapKeys() {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		d := NewDict()
		for _, k := range keys {
			d.Set(k, FromGo(rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key())).Interface()))
		}
		return d
	}
	return v
}

// normalize maps Go values that slipped in unconverted onto Jinja values at
// the points where their kind matters.
func normalize(v Value) Value {
	switch v.(type) {
	case nil, bool, int64, float64, string, *List, *Dict, Undefined:
		return v
	}
	return FromGo(v)
}

// IsTrue reports Python truthiness.
func IsTrue(v Value) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case *List:
		return len(x.Items) > 0
	case *Dict:
		return x.Len() > 0
	case Undefined:
		return false
	case int:
		return x != 0
	case pyRange:
		return len(x.items()) > 0
	}
	switch x := normalize(v).(type) {
	case *List:
		return len(x.Items) > 0
	case *Dict:
		return x.Len() > 0
	case int64:
		return x != 0
	case float64:
		return x != 0
	}
	return true
}

// typeName is Python's type(x).__name__, used in error messages.
func typeName(v Value) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64, int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case *List:
		if x.Tuple {
			return "tuple"
		}
		return "list"
	case *Dict:
		return "dict"
	case Undefined:
		return "Undefined"
	case *Macro:
		return "Macro"
	case Func:
		return "function"
	case *Namespace:
		return "Namespace"
	case *loopObj:
		return "LoopContext"
	case pyRange:
		return "range"
	}
	return fmt.Sprintf("%T", v)
}

// iterate returns the items a for loop over v visits.
func iterate(v Value) ([]Value, error) {
	switch x := v.(type) {
	case *List:
		return x.Items, nil
	case *Dict:
		return append([]Value(nil), x.keys...), nil
	case string:
		out := make([]Value, 0, len(x))
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, nil
	case Undefined:
		return nil, nil
	case pyRange:
		return x.items(), nil
	case nil:
		return nil, fmt.Errorf("'NoneType' object is not iterable")
	}
	switch x := normalize(v).(type) {
	case *List, *Dict:
		return iterate(x)
	}
	if it, ok := v.(interface{ Items() []Value }); ok {
		return it.Items(), nil
	}
	return nil, fmt.Errorf("'%s' object is not iterable", typeName(v))
}
