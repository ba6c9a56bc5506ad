select '{{ "abc" | uper }}' as x
