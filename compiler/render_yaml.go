package compiler

import (
	"github.com/gmodel/gmodel/compiler/jinja"
	"github.com/gmodel/gmodel/project"
)

// YAMLRenderer returns the hook that renders Jinja inside project and
// profile YAML values, as dbt does: env_var() and var() (from --vars) are
// available, nothing else of the model context. Rendered values are never
// echoed in errors, since they may hold secrets.
func YAMLRenderer(lookupEnv func(string) (string, bool), cliVars *project.OrderedMap) func(file string, pos project.Pos, s string) (string, error) {
	env := jinja.NewEnv()
	c := &compiler{opts: Options{LookupEnv: lookupEnv}, vars: map[string]jinja.Value{}}
	if cliVars != nil {
		for _, k := range cliVars.Keys {
			c.vars[k] = toJinja(cliVars.Values[k])
		}
	}
	c.p = &project.Project{File: "dbt_project.yml"}
	env.Globals["env_var"] = jinja.Func(c.fnEnvVar)
	env.Globals["var"] = jinja.Func(c.fnVar)
	env.Filters["as_text"] = func(_ *jinja.State, v jinja.Value, _ []jinja.Value, _ *jinja.Dict) (jinja.Value, error) {
		return jinja.ToString(v), nil
	}
	env.Filters["as_bool"] = filterAsBool
	env.Filters["as_number"] = filterAsNumber
	env.Filters["as_native"] = filterAsNative
	return func(file string, pos project.Pos, s string) (string, error) {
		t, err := env.Parse(file, s)
		if err != nil {
			return "", yamlRenderErr(err)
		}
		out, err := t.Render(nil, nil)
		if err != nil {
			return "", yamlRenderErr(err)
		}
		return out, nil
	}
}

// yamlRenderErr is an engine error without its position (the caller
// positions it in the YAML file), keeping its hint.
func yamlRenderErr(err error) error {
	if je, ok := err.(*jinja.Error); ok {
		return &hintError{msg: je.Msg, hint: je.FullHint()}
	}
	return err
}

// PlainConfig converts a config map into map[string]any (for selection and
// JSON output).
func PlainConfig(m *project.OrderedMap) map[string]any {
	out := map[string]any{}
	if m == nil {
		return out
	}
	for _, k := range m.Keys {
		out[k] = plainValue(m.Values[k])
	}
	return out
}

func plainValue(v any) any {
	switch x := v.(type) {
	case *project.OrderedMap:
		return PlainConfig(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainValue(e)
		}
		return out
	}
	return v
}
