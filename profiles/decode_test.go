package profiles

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type custom struct {
	Region   string                `yaml:"region_name" aliases:"region"`
	Workers  uint8                 `yaml:"workers"`
	Ratio    float64               `yaml:"ratio"`
	Verbose  *bool                 `yaml:"verbose"`
	Tags     []string              `yaml:"tags"`
	Extra    map[string]any        `yaml:"extra"`
	Raw      *yaml.Node            `yaml:"raw"`
	Any      any                   `yaml:"any"`
	Nested   struct{ Mode string } `yaml:"nested"`
	Ignored  string                `yaml:"-"`
	Implicit string
	hidden   string
}

func target(t *testing.T, src string) *Target {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	return &Target{Type: "athena", File: "profiles.yml", Node: flatten(n.Content[0])}
}

func TestDecode(t *testing.T) {
	var c custom
	err := Decode(target(t, `
region: eu-west-1
workers: "8"
ratio: 0.5
verbose: yes
tags: single
extra: {a: 1, b: [x]}
raw: {k: v}
any: [1, two]
nested: {mode: fast}
implicit: ok
`), &c)
	if err != nil {
		t.Fatal(err)
	}
	if c.Region != "eu-west-1" || c.Workers != 8 || c.Ratio != 0.5 || c.Verbose == nil || !*c.Verbose ||
		len(c.Tags) != 1 || c.Extra["a"] != 1 || c.Raw == nil || c.Raw.Kind != yaml.MappingNode ||
		c.Nested.Mode != "fast" || c.Implicit != "ok" || c.Any == nil {
		t.Errorf("decoded %+v", c)
	}

	err = Decode(target(t, `
region: a
region_name: b
workers: 300
ratio: fast
Ignored: x
hidden: y
nested: {mdoe: slow}
tags: [[a]]
`), &c)
	want := strings.Join([]string{
		"profiles.yml:3:1: 'region' and 'region_name' are the same setting; give only one",
		"profiles.yml:4:10: 'workers' is out of range",
		"profiles.yml:5:8: 'ratio' must be a number, not a string",
		"profiles.yml:6:1: unknown key 'Ignored' for an athena target",
		"  hint: the keys are 'any', 'extra', 'implicit', 'nested', 'ratio', 'raw', 'region', 'region_name', 'tags', 'verbose', 'workers'",
		"profiles.yml:7:1: unknown key 'hidden' for an athena target",
		"  hint: the keys are 'any', 'extra', 'implicit', 'nested', 'ratio', 'raw', 'region', 'region_name', 'tags', 'verbose', 'workers'",
		"profiles.yml:8:10: unknown key 'mdoe' for 'nested'",
		"  hint: did you mean 'mode'?",
		"profiles.yml:9:8: 'tags' must be a list of strings, but an item is a list",
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
	if err := Decode(target(t, "a: 1"), c); err == nil {
		t.Error("Decode into a non-pointer succeeded")
	}
	if err := Decode(&Target{}, &c); err == nil {
		t.Error("Decode of an empty target succeeded")
	}
}

func TestDecodePostgresWrongType(t *testing.T) {
	_, err := DecodePostgres(&Target{Name: "dev", Type: "athena", File: "profiles.yml", Node: &yaml.Node{Kind: yaml.MappingNode}})
	if err == nil || !strings.Contains(err.Error(), "target 'dev' is of type 'athena', not postgres") {
		t.Errorf("err = %v", err)
	}
}

func TestRetag(t *testing.T) {
	for in, want := range map[string]string{"5432": "!!int", " 12 ": "!!int", "1.5": "!!float", "true": "!!bool",
		"": "!!str", "null": "!!str", "~": "!!str", "inf": "!!str", "abc": "!!str", "0x1F": "!!str"} {
		if got := retag(in); got != want {
			t.Errorf("retag(%q) = %s, want %s", in, got, want)
		}
	}
}
