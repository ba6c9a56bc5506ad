package compiler

import (
	"fmt"

	"github.com/gmodel/gmodel/compiler/jinja"
	"github.com/gmodel/gmodel/project"
)

// Hook is a rendered pre-hook, post-hook, on-run-start or on-run-end
// statement.
type Hook struct {
	SQL string
	// Transaction false runs the hook outside the model's transaction.
	Transaction bool
}

// renderHooks renders a node's pre-hook and post-hook configs with the
// node's context, as dbt does when it runs the model.
func (c *compiler) renderHooks(n *Node) {
	for _, which := range []string{"pre-hook", "post-hook"} {
		raw, ok := n.Config.Values[which]
		if !ok || raw == nil {
			continue
		}
		hooks, err := project.ParseHooks(raw)
		if err != nil {
			c.addErr(n.Pos, fmt.Sprintf("%s of %s: %v", which, n.Name, err), "")
			continue
		}
		var out []Hook
		for _, h := range hooks {
			sql, err := c.renderString(n, n.OriginalFilePath, h.SQL, nil)
			if err != nil {
				c.addNodeErr(n, err, which)
				continue
			}
			out = append(out, Hook{SQL: sql, Transaction: h.Transaction})
		}
		if which == "pre-hook" {
			n.PreHooks = out
		} else {
			n.PostHooks = out
		}
	}
}

// renderString renders a Jinja string with a node's context (nil for the
// project-level context of on-run-start/on-run-end) and extra names.
func (c *compiler) renderString(n *Node, file, src string, extra map[string]any) (string, error) {
	t, err := c.env.Parse(file, src)
	if err != nil {
		return "", err
	}
	vars := map[string]jinja.Value{"execute": true}
	var data any
	if n != nil {
		rc := &renderCtx{c: c, node: n, final: true}
		vars = c.nodeRenderVars(rc)
		data = rc
	}
	for k, v := range extra {
		vars[k] = jinja.FromGo(v)
	}
	out, err := t.Render(vars, data)
	if err != nil {
		return "", err
	}
	return c.substitute(out), nil
}

// RenderSQL renders SQL written with Jinja after compilation: the runner
// uses it for on-run-end hooks (which see `results`) and operations. node
// gives the model context, or nil for the project's. Problems come back as
// a positioned *project.Error.
func (m *Manifest) RenderSQL(node *Node, file, sql string, extra map[string]any) (string, error) {
	if m.c == nil {
		return "", fmt.Errorf("manifest was not compiled by this process")
	}
	out, err := m.c.renderString(node, file, sql, extra)
	if err != nil {
		return "", m.c.jinjaError(file, err, "")
	}
	return out, nil
}

// renderRunHooks renders on-run-start (on-run-end waits for the run's
// results: the runner renders it with RenderSQL).
func (c *compiler) renderRunHooks(m *Manifest) {
	for _, h := range c.p.OnRunStart {
		sql, err := c.renderString(nil, c.p.File, h.SQL, nil)
		if err != nil {
			e := c.jinjaError(c.p.File, err, "on-run-start")
			if e.Pos.Line <= 1 && h.Pos.Line > 0 {
				e.Pos = h.Pos
			}
			c.add(e)
			continue
		}
		m.OnRunStart = append(m.OnRunStart, Hook{SQL: sql, Transaction: h.Transaction})
	}
}
