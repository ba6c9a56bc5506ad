package profiles

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// Secret is a string that is never printed: every formatting verb, JSON,
// YAML, text and slog show "********" (or "" when it is empty, so that an
// unset password still reads as unset). Only Reveal gives the value, for
// the adapter's connection config.
//
// fmt cannot call methods on unexported struct fields: keep a Secret in an
// exported field, or it prints in clear with %v of the struct.
type Secret string

const mask = "********"

// Reveal returns the secret in clear. Call it only to connect.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) masked() string {
	if s == "" {
		return ""
	}
	return mask
}

func (s Secret) String() string   { return s.masked() }
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.masked()) }

// Format applies the verb, with its flags, width and precision, to the mask.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, s.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), s.masked())
}

// The encoders write the mask too, so that a config dumped to JSON, YAML
// or a structured log stays safe.

func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.masked()) }
func (s Secret) MarshalYAML() (any, error)    { return s.masked(), nil }
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.masked()), nil }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(s.masked()) }
