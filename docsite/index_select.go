package docsite

import (
	"fmt"

	"github.com/go-json-experiment/json"

	"github.com/gmodel/gmodel/compiler/selector"
)

// Select evaluates dbt's selection syntax (--select, --exclude, a named
// selector of selectors.yml) over the site's nodes with the compiler's
// selector, and returns the sorted unique IDs. Nothing selects everything,
// as in dbt.
func (s *Site) Select(sel, exclude []string, selectorName string) ([]string, error) {
	if selectorName != "" && s.selectorsErr != nil {
		return nil, s.selectorsErr
	}
	s.selOnce.Do(func() { s.selGraph = selector.NewGraph(s.selectorNodes()) })
	ids, err := selector.Select(s.selGraph, selector.Options{
		Select:     sel,
		Exclude:    exclude,
		Selector:   selectorName,
		Selectors:  s.selectors,
		DefaultAll: true,
	})
	if err != nil {
		return nil, err
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, nil
}

// selectorNodes describe the site's nodes as the selector reads them.
func (s *Site) selectorNodes() []*selector.Node {
	out := make([]*selector.Node, 0, len(s.nodes))
	for _, n := range s.nodes {
		m := n.m
		sn := &selector.Node{
			UniqueID:     m.UniqueID,
			Name:         m.Name,
			ResourceType: m.ResourceType,
			Package:      m.PackageName,
			FQN:          m.FQN,
			Path:         m.OriginalFilePath,
			Tags:         m.Tags,
			ConfigFunc:   configFunc(n),
			DependsOn:    m.DependsOn.Nodes,
			SourceName:   m.SourceName,
			Access:       deref(m.Access),
			Group:        deref(m.Group),
			Version:      versionString(m.Version),
			// An unset latest_version leaves the highest version latest.
			LatestVersion: versionString(m.LatestVersion),
		}
		if m.ResourceType == "test" {
			if m.TestMetadata != nil {
				sn.TestType, sn.TestName = "generic", m.TestMetadata.Name
			} else {
				sn.TestType = "singular"
			}
		}
		out = append(out, sn)
	}
	return out
}

// configFunc decodes a node's config only when a config: or group:
// selection asks for it.
func configFunc(n *siteNode) func() map[string]any {
	return func() map[string]any {
		var cfg map[string]any
		if err := json.Unmarshal(n.config, &cfg, jsonOpts); err != nil || cfg == nil {
			cfg = map[string]any{}
		}
		return cfg
	}
}

// versionString is a model version as the selector compares it: "2" for
// 2 or "2".
func versionString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		if v == float64(int64(v)) {
			return fmt.Sprint(int64(v))
		}
		return fmt.Sprint(v)
	}
	return fmt.Sprint(v)
}
