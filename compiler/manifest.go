package compiler

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/bits"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gmodel/gmodel/compiler/jinja"
	"github.com/gmodel/gmodel/project"
)

// ManifestSchema is the dbt artifact schema the manifest follows.
const ManifestSchema = "https://schemas.getdbt.com/dbt/manifest/v12.json"

// DbtVersion is the dbt version gmodel's artifacts declare compatibility with.
const DbtVersion = "1.8.0"

// WriteManifest writes the manifest in dbt's manifest.json (v12) layout.
// The manifest is cut into parts that workers encode in parallel while the
// parts before them are written; output is deterministic.
func (m *Manifest) WriteManifest(w io.Writer, workers int) error {
	e := &manifestEncoder{m: m, created: appendFloat(nil, 0)}
	parts := []part{e.appendHeader}
	parts = appendChunks(parts, len(m.Nodes), 128, func(b []byte, i int) []byte {
		return e.appendNode(b, m.Nodes[i])
	})
	parts = append(parts, literal("}, \"sources\": {"))
	parts = appendChunks(parts, len(m.Sources), 128, func(b []byte, i int) []byte {
		return e.appendSource(b, m.Sources[i])
	})
	parts = append(parts, literal("}, \"macros\": {"))
	parts = appendChunks(parts, len(m.Macros), 128, func(b []byte, i int) []byte {
		return e.appendMacro(b, m.Macros[i])
	})
	parts = append(parts, e.appendDocsAndDisabled)
	ids := m.sortedIDs()
	parts = append(parts, literal(`}, "parent_map": {`))
	parts = appendIDMap(parts, ids, m.ParentMap)
	parts = append(parts, literal(`}, "child_map": {`))
	parts = appendIDMap(parts, ids, m.ChildMap)
	parts = append(parts, literal(`}, "group_map": {}, "saved_queries": {}, "semantic_models": {}, "unit_tests": {}}`))
	return writeParts(w, workers, parts)
}

// manifestEncoder holds what the parts of one WriteManifest share.
type manifestEncoder struct {
	m       *Manifest
	created []byte // the JSON of every created_at
	// configs holds the JSON of configs shared by many nodes (see
	// baseConfig), so each is encoded once.
	configs sync.Map // *project.OrderedMap -> []byte
}

// part appends one piece of the manifest to b.
type part func(b []byte) []byte

func literal(s string) part {
	return func(b []byte) []byte { return append(b, s...) }
}

// appendChunks adds the parts that encode n items, per at a time, with ", "
// between items.
func appendChunks(parts []part, n, per int, item func(b []byte, i int) []byte) []part {
	for lo := 0; lo < n; lo += per {
		lo, hi := lo, min(n, lo+per)
		parts = append(parts, func(b []byte) []byte {
			for i := lo; i < hi; i++ {
				if i > 0 {
					b = append(b, ", "...)
				}
				b = item(b, i)
			}
			return b
		})
	}
	return parts
}

// appendIDMap adds the parts that encode the entries of a parent or child
// map in key order.
func appendIDMap(parts []part, ids []string, m map[string][]string) []part {
	return appendChunks(parts, len(ids), 2048, func(b []byte, i int) []byte {
		b = appendStr(b, ids[i])
		b = append(b, ": "...)
		return appendStrings(b, m[ids[i]])
	})
}

// writeParts encodes the parts on several workers and writes them in order
// as they complete, so the writes overlap the encoding and memory stays
// bounded by a few parts rather than the whole manifest.
func writeParts(w io.Writer, workers int, parts []part) error {
	// Encoding is CPU-bound: workers beyond the cores only hold more
	// buffers in flight (the count passed in is often the profile's threads).
	workers = max(1, min(workers, runtime.GOMAXPROCS(0)))
	results := make([]chan []byte, len(parts))
	for i := range results {
		results[i] = make(chan []byte, 1)
	}
	// At most 2*workers parts are encoded ahead of the writer; after a
	// failed write (done closed) no more are handed out.
	tokens := make(chan struct{}, 2*workers)
	next := make(chan int)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(next)
		for i := range parts {
			select {
			case tokens <- struct{}{}:
			case <-done:
				return
			}
			select {
			case next <- i:
			case <-done:
				return
			}
		}
	}()
	// Buffers go round between the encoders and the writer; there are never
	// more in flight than tokens allow.
	free := make(chan []byte, 2*workers+1)
	for k := 0; k < workers; k++ {
		go func() {
			for i := range next {
				var buf []byte
				select {
				case buf = <-free:
				default:
					buf = make([]byte, 0, 1<<19)
				}
				results[i] <- parts[i](buf[:0])
			}
		}()
	}
	// Small parts (section heads, short sections) are gathered into one write.
	var small []byte
	for i := range parts {
		buf := <-results[i]
		if len(small)+len(buf) <= 64<<10 {
			small = append(small, buf...)
		} else {
			if len(small) > 0 {
				if _, err := w.Write(small); err != nil {
					return err
				}
				small = small[:0]
			}
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		select {
		case free <- buf:
		default:
		}
		<-tokens
	}
	if len(small) > 0 {
		_, err := w.Write(small)
		return err
	}
	return nil
}

func (e *manifestEncoder) appendHeader(b []byte) []byte {
	m := e.m
	b = append(b, `{"metadata": {"dbt_schema_version": "`...)
	b = append(b, ManifestSchema...)
	b = append(b, `", "dbt_version": "`+DbtVersion+`", "generated_at": `...)
	b = appendStr(b, m.GeneratedAt)
	b = append(b, `, "invocation_id": `...)
	b = appendStr(b, m.InvocationID)
	b = append(b, `, "env": {}, "project_name": `...)
	b = appendStr(b, m.Project.Name)
	sum := md5.Sum([]byte(m.Project.Name))
	b = append(b, `, "project_id": `...)
	b = appendStr(b, hex.EncodeToString(sum[:]))
	b = append(b, `, "user_id": null, "send_anonymous_usage_stats": false, "adapter_type": `...)
	b = appendStr(b, m.Target.Type)
	return append(b, "}, \"nodes\": {"...)
}

// appendDocsAndDisabled encodes the sections from "docs" to "disabled",
// short in most projects.
func (e *manifestEncoder) appendDocsAndDisabled(b []byte) []byte {
	m := e.m
	b = append(b, "}, \"docs\": {"...)
	for i, d := range m.Docs {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendStr(b, d.UniqueID)
		b = append(b, `: {"name": `...)
		b = appendStr(b, d.Name)
		b = append(b, `, "resource_type": "doc", "package_name": `...)
		b = appendStr(b, d.PackageName)
		b = append(b, `, "path": `...)
		b = appendStr(b, d.Path)
		b = append(b, `, "original_file_path": `...)
		b = appendStr(b, d.OriginalFilePath)
		b = append(b, `, "unique_id": `...)
		b = appendStr(b, d.UniqueID)
		b = append(b, `, "block_contents": `...)
		b = appendStr(b, d.BlockContents)
		b = append(b, '}')
	}
	b = append(b, `}, "exposures": {}, "metrics": {}, "groups": {}, "selectors": {}, "disabled": {`...)
	disabled := map[string][]*Node{}
	var dkeys []string
	for _, n := range m.Disabled {
		if _, ok := disabled[n.UniqueID]; !ok {
			dkeys = append(dkeys, n.UniqueID)
		}
		disabled[n.UniqueID] = append(disabled[n.UniqueID], n)
	}
	sort.Strings(dkeys)
	for i, k := range dkeys {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendStr(b, k)
		b = append(b, ": ["...)
		for j, n := range disabled[k] {
			if j > 0 {
				b = append(b, ", "...)
			}
			b = e.appendNodeBody(b, n)
		}
		b = append(b, ']')
	}
	return b
}

// sortedIDs are the unique ids of every node and source, sorted: the keys
// of the parent and child maps. Both lists are sorted already; merge them.
func (m *Manifest) sortedIDs() []string {
	out := make([]string, 0, len(m.Nodes)+len(m.Sources))
	i, j := 0, 0
	for i < len(m.Nodes) || j < len(m.Sources) {
		if j == len(m.Sources) || (i < len(m.Nodes) && m.Nodes[i].UniqueID < m.Sources[j].UniqueID) {
			out = append(out, m.Nodes[i].UniqueID)
			i++
		} else {
			out = append(out, m.Sources[j].UniqueID)
			j++
		}
	}
	return out
}

func (e *manifestEncoder) appendNode(b []byte, n *Node) []byte {
	b = appendStr(b, n.UniqueID)
	b = append(b, ": "...)
	return e.appendNodeBody(b, n)
}

func (e *manifestEncoder) appendNodeBody(b []byte, n *Node) []byte {
	b = append(b, `{"database": `...)
	b = appendStrOrNull(b, n.Database)
	b = append(b, `, "schema": `...)
	b = appendStr(b, n.Schema)
	b = append(b, `, "name": `...)
	b = appendStr(b, n.Name)
	b = append(b, `, "resource_type": `...)
	b = appendStr(b, n.ResourceType)
	b = append(b, `, "package_name": `...)
	b = appendStr(b, n.PackageName)
	b = append(b, `, "path": `...)
	b = appendStr(b, n.Path)
	b = append(b, `, "original_file_path": `...)
	b = appendStr(b, n.OriginalFilePath)
	b = append(b, `, "unique_id": `...)
	b = appendStr(b, n.UniqueID)
	b = append(b, `, "fqn": `...)
	b = appendStrings(b, n.FQN)
	b = append(b, `, "alias": `...)
	b = appendStr(b, n.Alias)
	if n.Checksum == "" {
		b = append(b, `, "checksum": {"name": "none", "checksum": ""`...)
	} else if strings.HasPrefix(n.Checksum, "path:") {
		b = append(b, `, "checksum": {"name": "path", "checksum": `...)
		b = appendStr(b, n.Checksum[5:])
	} else {
		b = append(b, `, "checksum": {"name": "sha256", "checksum": `...)
		b = appendStr(b, n.Checksum)
	}
	b = append(b, `}, "config": `...)
	if n.cfgShared {
		b = append(b, e.sharedConfigJSON(n.Config)...)
	} else {
		b = appendValue(b, n.Config)
	}
	b = append(b, `, "tags": `...)
	b = appendStrings(b, n.Tags)
	b = append(b, `, "description": `...)
	b = appendStr(b, n.Description)
	b = append(b, `, "columns": `...)
	b = appendColumns(b, n.Columns)
	b = append(b, `, "meta": `...)
	b = appendMap(b, n.Meta)
	b = append(b, `, "group": null, "docs": `...)
	if n.Docs == nil {
		b = append(b, `{"show": true, "node_color": null}`...)
	} else {
		b = appendValue(b, n.Docs)
	}
	b = append(b, `, "patch_path": `...)
	b = appendStrOrNull(b, n.PatchPath)
	b = append(b, `, "build_path": null, "unrendered_config": `...)
	b = appendMap(b, n.UnrenderedConfig)
	b = append(b, `, "created_at": `...)
	b = append(b, e.created...)
	b = append(b, `, "relation_name": `...)
	b = appendStrOrNull(b, n.RelationName)
	b = append(b, `, "raw_code": `...)
	b = appendStr(b, n.RawCode)
	if n.ResourceType == Seed {
		b = append(b, `, "root_path": `...)
		b = appendStr(b, e.m.Project.Root)
		b = append(b, `, "depends_on": {"macros": `...)
		b = appendStrings(b, n.DependsOnMacros)
		return append(b, "}}"...)
	}
	b = append(b, `, "language": "sql", "refs": [`...)
	for i, r := range n.Refs {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, `{"name": `...)
		b = appendStr(b, r.Name)
		b = append(b, `, "package": `...)
		b = appendStrOrNull(b, r.Package)
		b = append(b, `, "version": `...)
		b = appendStrOrNull(b, r.Version)
		b = append(b, '}')
	}
	b = append(b, `], "sources": [`...)
	for i, s := range n.Sources {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendStrings(b, s[:])
	}
	b = append(b, `], "metrics": [], "depends_on": {"macros": `...)
	b = appendStrings(b, n.DependsOnMacros)
	b = append(b, `, "nodes": `...)
	b = appendStrings(b, n.DependsOnNodes)
	b = append(b, `}, "compiled_path": `...)
	b = appendStrOrNull(b, n.CompiledPath)
	if n.Compiled {
		b = append(b, `, "compiled": true, "compiled_code": `...)
		b = appendStr(b, n.CompiledCode)
		b = append(b, `, "extra_ctes_injected": true, "extra_ctes": [`...)
		for i, cte := range n.ExtraCTEs {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, `{"id": `...)
			b = appendStr(b, cte.ID)
			b = append(b, `, "sql": `...)
			b = appendStr(b, cte.SQL)
			b = append(b, '}')
		}
		b = append(b, ']')
	} else {
		b = append(b, `, "compiled": false, "extra_ctes_injected": false, "extra_ctes": []`...)
	}
	b = append(b, `, "contract": {"enforced": false, "alias_types": true, "checksum": null}`...)
	switch n.ResourceType {
	case Model:
		b = append(b, `, "access": "protected", "constraints": [], "version": `...)
		b = appendStrOrNull(b, n.Version)
		b = append(b, `, "latest_version": null, "deprecation_date": null, "primary_key": [], "time_spine": null`...)
	case Test:
		if n.TestMetadata != nil {
			b = append(b, `, "column_name": `...)
			b = appendStrOrNull(b, n.ColumnName)
			b = append(b, `, "file_key_name": `...)
			b = appendStrOrNull(b, n.FileKeyName)
			b = append(b, `, "attached_node": `...)
			b = appendStrOrNull(b, n.AttachedNode)
			b = append(b, `, "test_metadata": {"name": `...)
			b = appendStr(b, n.TestMetadata.Name)
			b = append(b, `, "kwargs": `...)
			b = appendJinja(b, n.TestMetadata.Kwargs)
			b = append(b, `, "namespace": `...)
			b = appendStrOrNull(b, n.TestMetadata.Namespace)
			b = append(b, '}')
		}
	}
	return append(b, '}')
}

// appendMap encodes a config-style map, {} when nil.
func appendMap(b []byte, m *project.OrderedMap) []byte {
	if m == nil {
		return append(b, "{}"...)
	}
	return appendValue(b, m)
}

// appendJinja encodes a Jinja value (test kwargs) as JSON, the way
// fromJinja followed by appendValue would, without building the copy.
func appendJinja(b []byte, v jinja.Value) []byte {
	switch x := v.(type) {
	case *jinja.Dict:
		b = append(b, '{')
		vals := x.Values() // in the order of Keys
		for i, k := range x.Keys() {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendStr(b, jinja.ToString(k))
			b = append(b, ": "...)
			b = appendJinja(b, vals[i])
		}
		return append(b, '}')
	case *jinja.List:
		b = append(b, '[')
		for i, e := range x.Items {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendJinja(b, e)
		}
		return append(b, ']')
	case jinja.Undefined:
		return append(b, "null"...)
	case string:
		return appendStr(b, x)
	}
	return appendValue(b, fromJinja(v))
}

func appendColumns(b []byte, cols []*project.Column) []byte {
	b = append(b, '{')
	for i, col := range cols {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendStr(b, col.Name)
		b = append(b, `: {"name": `...)
		b = appendStr(b, col.Name)
		b = append(b, `, "description": `...)
		b = appendStr(b, col.Description)
		b = append(b, `, "meta": `...)
		b = appendMap(b, col.Meta)
		b = append(b, `, "data_type": `...)
		b = appendStrOrNull(b, col.DataType)
		b = append(b, `, "constraints": [], "quote": `...)
		if col.Quote == nil {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendBool(b, *col.Quote)
		}
		b = append(b, `, "tags": `...)
		b = appendStrings(b, col.Tags)
		b = append(b, `, "granularity": null}`...)
	}
	return append(b, '}')
}

func (e *manifestEncoder) appendSource(b []byte, s *SourceNode) []byte {
	b = appendStr(b, s.UniqueID)
	b = append(b, `: {"database": `...)
	b = appendStrOrNull(b, s.Database)
	b = append(b, `, "schema": `...)
	b = appendStr(b, s.Schema)
	b = append(b, `, "name": `...)
	b = appendStr(b, s.Name)
	b = append(b, `, "resource_type": "source", "package_name": `...)
	b = appendStr(b, s.PackageName)
	b = append(b, `, "path": `...)
	b = appendStr(b, s.Path)
	b = append(b, `, "original_file_path": `...)
	b = appendStr(b, s.OriginalFilePath)
	b = append(b, `, "unique_id": `...)
	b = appendStr(b, s.UniqueID)
	b = append(b, `, "fqn": `...)
	b = appendStrings(b, s.FQN)
	b = append(b, `, "source_name": `...)
	b = appendStr(b, s.SourceName)
	b = append(b, `, "source_description": `...)
	b = appendStr(b, s.SourceDesc)
	b = append(b, `, "loader": `...)
	b = appendStr(b, s.Loader)
	b = append(b, `, "identifier": `...)
	b = appendStr(b, s.Identifier)
	b = append(b, `, "quoting": {"database": null, "schema": null, "identifier": null, "column": null}, "loaded_at_field": `...)
	b = appendStrOrNull(b, s.LoadedAtField)
	b = append(b, `, "freshness": `...)
	if s.Freshness != nil {
		b = appendValue(b, s.Freshness)
	} else {
		b = append(b, `{"warn_after": {"count": null, "period": null}, "error_after": {"count": null, "period": null}, "filter": null}`...)
	}
	b = append(b, `, "external": `...)
	if s.External != nil {
		b = appendValue(b, s.External)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `, "description": `...)
	b = appendStr(b, s.Description)
	b = append(b, `, "columns": `...)
	b = appendColumns(b, s.Columns)
	b = append(b, `, "meta": `...)
	b = appendMap(b, s.Meta)
	b = append(b, `, "source_meta": `...)
	b = appendMap(b, s.SourceMeta)
	b = append(b, `, "tags": `...)
	b = appendStrings(b, s.Tags)
	b = append(b, `, "config": `...)
	b = appendValue(b, s.Config)
	b = append(b, `, "patch_path": null, "unrendered_config": {}, "relation_name": `...)
	b = appendStrOrNull(b, s.RelationName)
	b = append(b, `, "created_at": `...)
	b = append(b, e.created...)
	return append(b, '}')
}

func (e *manifestEncoder) appendMacro(b []byte, mac *MacroNode) []byte {
	b = appendStr(b, mac.UniqueID)
	b = append(b, `: {"name": `...)
	b = appendStr(b, mac.Name)
	b = append(b, `, "resource_type": "macro", "package_name": `...)
	b = appendStr(b, mac.PackageName)
	b = append(b, `, "path": `...)
	b = appendStr(b, mac.Path)
	b = append(b, `, "original_file_path": `...)
	b = appendStr(b, mac.OriginalFilePath)
	b = append(b, `, "unique_id": `...)
	b = appendStr(b, mac.UniqueID)
	b = append(b, `, "macro_sql": `...)
	b = appendStr(b, mac.MacroSQL)
	b = append(b, `, "depends_on": {"macros": `...)
	b = appendStrings(b, mac.DependsOnMacros)
	b = append(b, `}, "description": `...)
	b = appendStr(b, mac.Description)
	b = append(b, `, "meta": {}, "docs": {"show": true, "node_color": null}, "patch_path": null, "arguments": [`...)
	for i, a := range mac.Arguments {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, `{"name": `...)
		b = appendStr(b, a.Name)
		b = append(b, `, "type": `...)
		b = appendStrOrNull(b, a.DataType)
		b = append(b, `, "description": `...)
		b = appendStr(b, a.Description)
		b = append(b, '}')
	}
	b = append(b, `], "created_at": `...)
	b = append(b, e.created...)
	return append(b, `, "supported_languages": null}`...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendStr(b, s)
	}
	return append(b, ']')
}

func appendStrOrNull(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendStr(b, s)
}

func appendFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(b, "null"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return append(strconv.AppendInt(b, int64(f), 10), ".0"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// appendValue encodes decoded YAML / config values.
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return appendFloat(b, x)
	case string:
		return appendStr(b, x)
	case []string:
		return appendStrings(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	case *project.OrderedMap:
		b = append(b, '{')
		if x != nil {
			for i, k := range x.Keys {
				if i > 0 {
					b = append(b, ", "...)
				}
				b = appendStr(b, k)
				b = append(b, ": "...)
				b = appendValue(b, x.Values[k])
			}
		}
		return append(b, '}')
	case map[string]any:
		return appendValue(b, om(flattenMap(x)...))
	case jinja.Value:
		if s, ok := x.(fmt.Stringer); ok {
			return appendStr(b, s.String())
		}
	}
	return appendStr(b, fmt.Sprint(v))
}

func flattenMap(m map[string]any) []any {
	var kv []any
	for _, k := range sortedKeys(m) {
		kv = append(kv, k, m[k])
	}
	return kv
}

const hexDigits = "0123456789abcdef"

// jsonPlain marks the bytes that can be copied as they are into a JSON
// string of valid UTF-8: all but control characters, '"', '\\' and 0xE2,
// the first byte of U+2028 and U+2029, which are escaped for JavaScript.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\' && c != 0xE2
	}
	return t
}()

// appendStr appends s as a JSON string.
func appendStr(b []byte, s string) []byte {
	orig := len(b)
	b = append(b, '"')
	start := 0
	checked := false // UTF-8 validity, checked at the first non-ASCII byte
	for i := 0; i < len(s); {
		// Skip eight plain ASCII bytes at a time, else go to the first
		// byte of the eight that needs a look.
		if i+8 <= len(s) {
			m := specialBytes(load64(s[i : i+8]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		} else if len(s) >= 8 {
			// The last eight bytes, overlapping those seen: a mark carried
			// from below i only sends a plain byte through the loop below.
			m := specialBytes(load64(s[len(s)-8:])) >> (8 * (i + 8 - len(s)))
			if m == 0 {
				break
			}
			i += bits.TrailingZeros64(m) >> 3
		}
		c := s[i]
		if c >= utf8.RuneSelf && !checked {
			if !utf8.ValidString(s) {
				return appendStrInvalid(b[:orig], s)
			}
			checked = true
		}
		if jsonPlain[c] {
			i++
			continue
		}
		if c == 0xE2 {
			if i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9) {
				b = append(b, s[start:i]...)
				b = append(b, `\u202`...)
				b = append(b, hexDigits[s[i+2]&0xf])
				i += 2
				start = i + 1
			}
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		default:
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// load64 reads eight bytes little-endian (the compiler makes it one load).
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// specialBytes marks with its top bit each byte of w that cannot be copied
// into a JSON string as it is: below 0x20, '"', '\\' or not ASCII. The lowest
// marked byte is exact (borrows only carry upwards), later marks may not be.
func specialBytes(w uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	q := w ^ (ones * '"')
	bs := w ^ (ones * '\\')
	return ((w-ones*0x20) & ^w | (q-ones)&^q | (bs-ones)&^bs | w) & high
}

// appendStrInvalid encodes a string that is not valid UTF-8, writing each
// bad byte as \ufffd as encoding/json does.
func appendStrInvalid(b []byte, s string) []byte {
	b = append(b, '"')
	for len(s) > 0 {
		i := 0
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		if i > 0 {
			inner := appendStr(nil, s[:i])
			b = append(b, inner[1:len(inner)-1]...)
		}
		if i < len(s) {
			b = append(b, `\ufffd`...)
			i++
		}
		s = s[i:]
	}
	return append(b, '"')
}

// sharedConfigJSON is the JSON of a config shared by many nodes.
func (e *manifestEncoder) sharedConfigJSON(cfg *project.OrderedMap) []byte {
	if b, ok := e.configs.Load(cfg); ok {
		return b.([]byte)
	}
	b := appendValue(nil, cfg)
	e.configs.Store(cfg, b)
	return b
}
