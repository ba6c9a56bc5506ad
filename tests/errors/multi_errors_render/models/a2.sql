select
  {{ exceptions.raise_compiler_error('stop here') }}
