package profiles

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gmodel/gmodel/project"
	"gopkg.in/yaml.v3"
)

var nodeType = reflect.TypeFor[*yaml.Node]()

// Decode decodes a target's output section into v, a pointer to the
// adapter's struct, strictly: a key with no field is an error naming the
// closest key there is. Fields take their key from the `yaml:"name"` tag
// (else the lower-cased field name) and may accept other spellings listed
// in an `aliases:"a,b"` tag (dbt-postgres' pass for password). Strings
// rendered from Jinja are typed by the field they fill, so "5432" fills an
// int. Supported field types: strings (and Secret), integers, floats,
// bools, []string, map[string]any, any, *yaml.Node, pointers to those and
// nested structs. All problems come back together, as a project.ErrorList;
// none quotes a value.
func Decode(t *Target, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("profiles.Decode: want a pointer to a struct, got %T", v)
	}
	if t == nil || t.Node == nil {
		return fmt.Errorf("profiles.Decode: target has no settings")
	}
	what := "this target"
	if t.Type != "" {
		what = "a " + t.Type + " target"
		if strings.ContainsRune("aeiou", rune(t.Type[0])) {
			what = "an " + t.Type + " target"
		}
	}
	var errs project.ErrorList
	d := &structDecoder{file: t.File, what: what, errs: &errs}
	d.decodeStruct(t.Node, rv.Elem())
	return errs.Err()
}

type structDecoder struct {
	file string
	what string // "a postgres target", for messages
	errs *project.ErrorList
}

type fieldInfo struct {
	index []int
	name  string // the main key
}

// fields maps every accepted key of a struct type to its field.
func fields(t reflect.Type) (map[string]fieldInfo, []string) {
	byKey := map[string]fieldInfo{}
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		info := fieldInfo{index: f.Index, name: name}
		byKey[name] = info
		keys = append(keys, name)
		if a := f.Tag.Get("aliases"); a != "" {
			for _, alias := range strings.Split(a, ",") {
				byKey[alias] = info
				keys = append(keys, alias)
			}
		}
	}
	return byKey, keys
}

func (d *structDecoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errs.Add(project.NodePos(d.file, n), format, args...)
}

func (d *structDecoder) decodeStruct(n *yaml.Node, out reflect.Value) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "the settings of %s must be a mapping, not %s", d.what, kindName(n))
		return
	}
	byKey, keys := fields(out.Type())
	setBy := map[string]string{} // main key -> the key that set it
	for _, kv := range project.YAMLPairs(n) {
		key := kv[0].Value
		f, ok := byKey[key]
		if !ok {
			hint := didYouMean(key, keys)
			if hint == "" {
				hint = "the keys are " + quoteList(slices.Sorted(slices.Values(keys)))
			}
			d.errs.Append(&project.Error{Pos: project.NodePos(d.file, kv[0]),
				Msg: fmt.Sprintf("unknown key '%s' for %s", key, d.what), Hint: hint})
			continue
		}
		if prev, dup := setBy[f.name]; dup {
			d.errorf(kv[0], "'%s' and '%s' are the same setting; give only one", prev, key)
			continue
		}
		setBy[f.name] = key
		d.decodeValue(key, kv[1], out.FieldByIndex(f.index))
	}
}

// decodeValue fills out from n. Messages name the key and the kind of
// value found, never the value: it may be a password.
func (d *structDecoder) decodeValue(key string, n *yaml.Node, out reflect.Value) {
	n = resolve(n)
	if out.Type() == nodeType {
		out.Set(reflect.ValueOf(n))
		return
	}
	if isNull(n) {
		return // unset: the zero value, or the adapter's default
	}
	switch out.Kind() {
	case reflect.Pointer:
		v := reflect.New(out.Type().Elem())
		d.decodeValue(key, n, v.Elem())
		out.Set(v)
		return
	case reflect.Struct:
		inner := &structDecoder{file: d.file, what: "'" + key + "'", errs: d.errs}
		inner.decodeStruct(n, out)
		return
	case reflect.Slice:
		if out.Type().Elem().Kind() != reflect.String {
			break
		}
		items := []*yaml.Node{n}
		if n.Kind == yaml.SequenceNode {
			items = n.Content
		}
		s := reflect.MakeSlice(out.Type(), 0, len(items))
		for _, it := range items {
			it = resolve(it)
			if it.Kind != yaml.ScalarNode {
				d.errorf(it, "'%s' must be a list of strings, but an item is %s", key, kindName(it))
				return
			}
			s = reflect.Append(s, reflect.ValueOf(it.Value).Convert(out.Type().Elem()))
		}
		out.Set(s)
		return
	case reflect.Map, reflect.Interface:
		v := reflect.New(out.Type())
		if err := n.Decode(v.Interface()); err != nil {
			d.errorf(n, "'%s' cannot be %s", key, kindName(n))
			return
		}
		out.Set(v.Elem())
		return
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "'%s' must be %s, not %s", key, kindWanted(out.Kind()), kindName(n))
		return
	}
	s := strings.TrimSpace(n.Value)
	switch out.Kind() {
	case reflect.String:
		out.SetString(n.Value)
		return
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(s, 10, out.Type().Bits())
		if err == nil {
			out.SetInt(i)
			return
		}
		if errors.Is(err, strconv.ErrRange) {
			d.errorf(n, "'%s' is out of range", key)
			return
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		i, err := strconv.ParseUint(s, 10, out.Type().Bits())
		if err == nil {
			out.SetUint(i)
			return
		}
		if errors.Is(err, strconv.ErrRange) {
			d.errorf(n, "'%s' is out of range", key)
			return
		}
	case reflect.Float32, reflect.Float64:
		if f, err := strconv.ParseFloat(s, out.Type().Bits()); err == nil {
			out.SetFloat(f)
			return
		}
	case reflect.Bool:
		switch s {
		case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON":
			out.SetBool(true)
			return
		case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF":
			out.SetBool(false)
			return
		}
	default:
		d.errorf(n, "'%s' has a type gmodel cannot decode (%s)", key, out.Type())
		return
	}
	d.errorf(n, "'%s' must be %s, not %s", key, kindWanted(out.Kind()), kindName(n))
}

func kindWanted(k reflect.Kind) string {
	switch {
	case k == reflect.String:
		return "a string"
	case k == reflect.Bool:
		return "true or false"
	case k == reflect.Float32 || k == reflect.Float64:
		return "a number"
	case slices.Contains([]reflect.Kind{reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64}, k):
		return "an integer"
	case slices.Contains([]reflect.Kind{reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64}, k):
		return "a whole number"
	}
	return k.String()
}
