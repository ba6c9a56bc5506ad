package profiles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestSecretNeverPrinted(t *testing.T) {
	const pw = "hunter2-do-not-print"
	type conn struct {
		User     string
		Password Secret
		Nested   struct{ Token Secret }
		List     []Secret
		Map      map[string]Secret
	}
	c := conn{User: "alice", Password: pw, List: []Secret{pw}, Map: map[string]Secret{"k": pw}}
	c.Nested.Token = pw
	pg := &Postgres{Host: "h", Password: pw}

	var outs []string
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%10s", "%-12v", "%.3s", "%d", "%T"} {
		outs = append(outs, fmt.Sprintf(format, c), fmt.Sprintf(format, &c), fmt.Sprintf(format, pg), fmt.Sprintf(format, c.Password))
	}
	outs = append(outs, fmt.Sprint(c), fmt.Sprintln(c.Password), c.Password.String(), c.Password.GoString())
	for _, v := range []any{c, pg, c.Password} {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		y, err := yaml.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(j), string(y))
	}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("connect", "password", c.Password, "conn", c)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("connect", "password", c.Password, "pg", pg)
	outs = append(outs, logs.String())

	for _, out := range outs {
		// %x of the secret would show its hex; check that too.
		if strings.Contains(out, pw) || strings.Contains(out, fmt.Sprintf("%x", pw)) || strings.Contains(out, "hunter") {
			t.Errorf("secret printed: %s", out)
		}
	}
	if got := fmt.Sprintf("%v|%s|%q|%#v", c.Password, c.Password, c.Password, c.Password); got != `********|********|"********"|"********"` {
		t.Errorf("masked forms = %s", got)
	}
	var empty Secret
	if got := fmt.Sprintf("[%v][%#v]", empty, empty); got != `[][""]` {
		t.Errorf("empty secret prints %s", got)
	}
	if b, _ := json.Marshal(empty); string(b) != `""` {
		t.Errorf("empty secret JSON = %s", b)
	}
	if c.Password.Reveal() != pw {
		t.Error("Reveal does not give the value")
	}
}
