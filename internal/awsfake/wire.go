package awsfake

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"time"
)

// The JSON 1.1 services (Athena, Glue, Secrets Manager) name their wire
// members exactly as the SDK names its Go fields, so the SDK's own input,
// output and types structs describe the wire format. encoding/json would get
// three things wrong: timestamps (epoch seconds on the wire), nil pointers
// and empty collections (absent on the wire) and blobs (base64). toWire and
// fromWire walk the SDK structs by reflection with those rules.

var timeType = reflect.TypeOf(time.Time{})

// toWire turns an SDK struct (or pointer, slice, map of them) into the
// value encoding/json should write; nil means "leave the member out".
func toWire(v any) any {
	return wireValue(reflect.ValueOf(v))
}

func wireValue(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return wireValue(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			return float64(t.UnixMilli()) / 1000
		}
		out := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			if w := wireValue(v.Field(i)); w != nil {
				out[f.Name] = w
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes())
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = wireValue(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		it := v.MapRange()
		for it.Next() {
			out[it.Key().String()] = wireValue(it.Value())
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(v.Uint())
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return nil
}

// fromWire fills the SDK struct dst points to from a value decoded by
// encoding/json into any (objects as map[string]any, numbers as float64).
// Members the struct does not have are ignored, as the SDK ignores them.
func fromWire(src any, dst any) error {
	return setWire(src, reflect.ValueOf(dst).Elem(), "")
}

func setWire(src any, dst reflect.Value, path string) error {
	if src == nil {
		return nil
	}
	bad := func() error {
		return fmt.Errorf("member %s: unexpected %T for %s", pathOr(path), src, dst.Type())
	}
	switch dst.Kind() {
	case reflect.Pointer:
		p := reflect.New(dst.Type().Elem())
		if err := setWire(src, p.Elem(), path); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Interface:
		return nil // smithy documents and unions: not used by the fake
	case reflect.Struct:
		if dst.Type() == timeType {
			f, ok := src.(float64)
			if !ok {
				return bad()
			}
			// Millisecond precision, as the SDK's own decoder reads epochs.
			dst.Set(reflect.ValueOf(time.UnixMilli(int64(math.Round(f * 1000))).UTC()))
			return nil
		}
		m, ok := src.(map[string]any)
		if !ok {
			return bad()
		}
		for k, v := range m {
			f, ok := dst.Type().FieldByName(k)
			if !ok || !f.IsExported() {
				continue
			}
			if err := setWire(v, dst.FieldByIndex(f.Index), path+"."+k); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if dst.Type().Elem().Kind() == reflect.Uint8 {
			s, ok := src.(string)
			if !ok {
				return bad()
			}
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return fmt.Errorf("member %s: %w", pathOr(path), err)
			}
			dst.SetBytes(b)
			return nil
		}
		l, ok := src.([]any)
		if !ok {
			return bad()
		}
		s := reflect.MakeSlice(dst.Type(), len(l), len(l))
		for i, e := range l {
			if err := setWire(e, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		dst.Set(s)
		return nil
	case reflect.Map:
		m, ok := src.(map[string]any)
		if !ok {
			return bad()
		}
		out := reflect.MakeMapWithSize(dst.Type(), len(m))
		for k, v := range m {
			e := reflect.New(dst.Type().Elem()).Elem()
			if err := setWire(v, e, path+"."+k); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(dst.Type().Key()), e)
		}
		dst.Set(out)
		return nil
	case reflect.String:
		s, ok := src.(string)
		if !ok {
			return bad()
		}
		dst.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := src.(bool)
		if !ok {
			return bad()
		}
		dst.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch n := src.(type) {
		case int64:
			dst.SetInt(n)
		case float64:
			if n != math.Trunc(n) {
				return bad()
			}
			dst.SetInt(int64(n))
		default:
			return bad()
		}
		return nil
	case reflect.Float32, reflect.Float64:
		switch n := src.(type) {
		case int64:
			dst.SetFloat(float64(n))
		case float64:
			dst.SetFloat(n)
		default:
			return bad()
		}
		return nil
	}
	return bad()
}

// clone deep-copies an SDK struct through its wire form, so that callers
// never share the fake's state.
func clone[T any](v *T) *T {
	if v == nil {
		return nil
	}
	out := new(T)
	if err := fromWire(toWire(v), out); err != nil {
		panic("awsfake: clone: " + err.Error()) // toWire's output always fits
	}
	return out
}

func pathOr(p string) string {
	if p == "" {
		return "(body)"
	}
	return p[1:]
}
