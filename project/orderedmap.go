package project

// NewOrderedMap returns an empty map ready for Set. Its Go maps are made by
// the first Set (reading a nil map is fine): a big project's schema files
// make tens of thousands of maps that stay empty, e.g. a test's config.
func NewOrderedMap() *OrderedMap {
	return &OrderedMap{}
}

// Len is the number of keys; a nil map has none.
func (m *OrderedMap) Len() int {
	if m == nil {
		return 0
	}
	return len(m.Keys)
}

// Get returns the value for key; a nil map has no keys.
func (m *OrderedMap) Get(key string) (any, bool) {
	if m == nil {
		return nil, false
	}
	v, ok := m.Values[key]
	return v, ok
}

// Set sets key to v, appending key when it is new.
func (m *OrderedMap) Set(key string, v any) {
	if m.Values == nil {
		m.Values = map[string]any{}
	}
	if _, ok := m.Values[key]; !ok {
		m.Keys = append(m.Keys, key)
	}
	m.Values[key] = v
}

// SetPos is Set that also records where the key came from.
func (m *OrderedMap) SetPos(key string, v any, pos Pos) {
	m.Set(key, v)
	if m.Pos == nil {
		m.Pos = map[string]Pos{}
	}
	m.Pos[key] = pos
}

// Delete removes key, keeping the order of the others.
func (m *OrderedMap) Delete(key string) {
	if m == nil {
		return
	}
	if _, ok := m.Values[key]; !ok {
		return
	}
	delete(m.Values, key)
	delete(m.Pos, key)
	for i, k := range m.Keys {
		if k == key {
			m.Keys = append(m.Keys[:i:i], m.Keys[i+1:]...)
			break
		}
	}
}

// Clone returns a deep copy: nested maps and lists are copied too.
func (m *OrderedMap) Clone() *OrderedMap {
	if m == nil {
		return nil
	}
	c := &OrderedMap{
		Keys:   append([]string(nil), m.Keys...),
		Values: make(map[string]any, len(m.Values)),
		Pos:    make(map[string]Pos, len(m.Pos)),
	}
	for k, v := range m.Values {
		c.Values[k] = cloneValue(v)
	}
	for k, p := range m.Pos {
		c.Pos[k] = p
	}
	return c
}

// cloneValue deep-copies a decoded YAML value.
func cloneValue(v any) any {
	switch v := v.(type) {
	case *OrderedMap:
		return v.Clone()
	case []any:
		c := make([]any, len(v))
		for i, x := range v {
			c[i] = cloneValue(x)
		}
		return c
	}
	return v
}
