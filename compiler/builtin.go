package compiler

import (
	"embed"
	"io/fs"
	"sort"
	"strings"

	"github.com/gmodel/gmodel/project"
)

// builtinMacros is gmodel's copy of dbt's global project: naming macros,
// cross-database macros and generic tests (see macros/README.md).
//
//go:embed macros/*.sql macros/utils/*.sql
var builtinMacros embed.FS

func (c *compiler) loadBuiltinMacros() {
	var files []string
	_ = fs.WalkDir(builtinMacros, "macros", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".sql") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	for _, name := range files {
		b, err := builtinMacros.ReadFile(name)
		if err != nil {
			c.addErr(project.Pos{File: name}, "reading built-in macros: "+err.Error(), "")
			continue
		}
		t, err := c.env.Parse("<gmodel>/"+name, string(b))
		if err != nil {
			c.addJinjaErr(name, err, "built-in macros")
			continue
		}
		for _, m := range t.Macros() {
			c.builtin[m.Name] = m
			c.builtinNodes = append(c.builtinNodes, &MacroNode{
				UniqueID:         "macro.dbt." + m.Name,
				Name:             m.Name,
				PackageName:      "dbt",
				Path:             name,
				OriginalFilePath: name,
				MacroSQL:         macroSource(string(b), m),
				Pos:              project.Pos{File: name, Line: m.Line, Col: 1},
				macro:            m,
			})
		}
	}
}

func (c *compiler) builtinDefs() []*MacroNode { return c.builtinNodes }
