select 1 as id
{{ exceptions.raise_compiler_error('custom') }}
