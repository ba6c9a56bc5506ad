package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
)

type initOptions struct {
	f    *Factory
	g    *globalOptions
	Name string
}

func newCmdInit(f *Factory, g *globalOptions, runF func(*initOptions) error) *cobra.Command {
	opts := &initOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "init NAME",
		Short: "Create a new project in ./NAME: bronze, silver and gold example models, a seed, tests and a profiles.yml",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return initRun(opts)
		},
	}
	return cmd
}

// dbt requires project names to be identifiers: they name macros'
// namespaces and the profile.
var projectNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func initRun(opts *initOptions) error {
	name := opts.Name
	if !projectNameRE.MatchString(name) {
		return usageErr(fmt.Errorf("init: %q is not a valid project name\n  hint: use letters, digits and underscores, starting with a letter or underscore (e.g. my_project)", name))
	}
	wd, err := opts.f.Getwd()
	if err != nil {
		return usageErr(fmt.Errorf("init: %w", err))
	}
	dir := filepath.Join(wd, name)
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return usageErr(fmt.Errorf("init: %s exists and is not a directory", dir))
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return usageErr(fmt.Errorf("init: %w", err))
		}
		if len(entries) > 0 {
			return usageErr(fmt.Errorf("init: %s exists and is not empty\n  hint: choose another name, or remove the directory", dir))
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return usageErr(fmt.Errorf("init: %w", err))
	}
	for _, fl := range scaffold {
		p := filepath.Join(dir, filepath.FromSlash(fl.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return usageErr(fmt.Errorf("init: %w", err))
		}
		body := strings.ReplaceAll(fl.body, "__NAME__", name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return usageErr(fmt.Errorf("init: %w", err))
		}
	}
	out := opts.f.IO.Out
	fmt.Fprintf(out, "Created project %s in %s\n\n", name, dir)
	fmt.Fprintf(out, "Next steps:\n  cd %s\n  gmodel seed --target local    # starts a local PostgreSQL managed by gmodel, loads seeds/\n  gmodel build --target local   # runs bronze, silver and gold, and their tests\n\nprofiles.yml also has an `aws` target (RDS PostgreSQL); see README.md.\n", name)
	return nil
}

// scaffold is the new project, in write order; __NAME__ is the project name.
var scaffold = []struct{ path, body string }{
	{"dbt_project.yml", `name: '__NAME__'
version: '1.0.0'
config-version: 2

# The profile in profiles.yml (this directory, ~/.gmodel or ~/.dbt).
profile: '__NAME__'

model-paths: ["models"]
seed-paths: ["seeds"]
test-paths: ["tests"]
analysis-paths: ["analyses"]
macro-paths: ["macros"]
snapshot-paths: ["snapshots"]

target-path: "target"
clean-targets:
  - "target"
  - "logs"

# The medallion layers: each folder builds into its own schema (see
# macros/generate_schema_name.sql).
models:
  __NAME__:
    bronze:
      +materialized: view
      +schema: bronze
    silver:
      +materialized: table
      +schema: silver
    gold:
      +materialized: table
      +schema: gold

seeds:
  __NAME__:
    +schema: bronze
`},
	{"macros/generate_schema_name.sql", `{#
  Medallion schemas: a model with a custom schema (+schema: silver) builds
  into exactly that schema, not dbt's default <target_schema>_silver.
  Models without one build into the target's schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
`},
	{"seeds/raw_orders.csv", `order_id,customer_id,order_date,status,amount
1,101,2024-01-05,completed,25.50
2,102,2024-01-06,completed,12.00
3,101,2024-01-20,returned,25.50
4,103,2024-02-02,completed,99.90
5,,2024-02-03,completed,5.00
6,102,2024-02-14,cancelled,40.00
`},
	{"models/bronze/brz_orders.sql", `-- Bronze: the raw orders as loaded, with types fixed and nothing dropped.
select
    order_id::integer          as order_id,
    customer_id::integer       as customer_id,
    order_date::date           as order_date,
    lower(status)              as status,
    amount::numeric(12, 2)     as amount
from {{ ref('raw_orders') }}
`},
	{"models/silver/slv_orders.sql", `-- Silver: cleaned orders. Cancelled orders are dropped; orders without a
-- customer are kept under customer_id -1 (unknown).
select
    order_id,
    coalesce(customer_id, -1)  as customer_id,
    order_date,
    status,
    case when status = 'returned' then -amount else amount end as amount
from {{ ref('brz_orders') }}
where status <> 'cancelled'
`},
	{"models/gold/gld_customer_revenue.sql", `-- Gold: revenue per customer, net of returns.
select
    customer_id,
    count(*)                   as orders,
    min(order_date)            as first_order_date,
    max(order_date)            as last_order_date,
    sum(amount)                as net_revenue
from {{ ref('slv_orders') }}
group by customer_id
`},
	{"models/schema.yml", `version: 2

models:
  - name: brz_orders
    description: Bronze. The raw orders seed with types applied; one row per order line as received.
    columns:
      - name: order_id
        description: The order's identifier in the source system.
        data_tests:
          - unique
          - not_null
      - name: status
        description: The order's status, lower case.
        data_tests:
          - accepted_values:
              values: ['completed', 'returned', 'cancelled']

  - name: slv_orders
    description: Silver. Orders without cancellations; returns as negative amounts; unknown customers as -1.
    columns:
      - name: order_id
        description: The order's identifier.
        data_tests:
          - unique
          - not_null
      - name: customer_id
        description: The customer, or -1 when the source had none.
        data_tests:
          - not_null

  - name: gld_customer_revenue
    description: Gold. Net revenue and order dates per customer.
    columns:
      - name: customer_id
        description: The customer (-1 for unknown).
        data_tests:
          - unique
          - not_null
          - relationships:
              to: ref('slv_orders')
              field: customer_id
      - name: net_revenue
        description: Sum of order amounts, returns subtracted.
`},
	{"seeds/schema.yml", `version: 2

seeds:
  - name: raw_orders
    description: A tiny sample of raw orders, loaded into the bronze schema by gmodel seed.
`},
	{"tests/.gitkeep", ""},
	{"analyses/.gitkeep", ""},
	{"snapshots/.gitkeep", ""},
	{"profiles.yml", `# Connection profiles for __NAME__. gmodel looks for profiles.yml in
# --profiles-dir, $GMODEL_PROFILES_DIR, $DBT_PROFILES_DIR, the project
# directory, ~/.gmodel and ~/.dbt, in that order.
__NAME__:
  target: local
  outputs:
    # A PostgreSQL that gmodel runs itself (Docker, or the local PostgreSQL
    # binaries, with its data in .gmodel/pg). Nothing to set up.
    local:
      type: postgres
      managed: true
      dbname: __NAME__
      schema: public
      threads: 4

    # Amazon RDS for PostgreSQL. Credentials come from the environment:
    #   export GMODEL_AWS_HOST=mydb.xxxx.eu-west-1.rds.amazonaws.com
    #   export GMODEL_AWS_USER=... GMODEL_AWS_PASSWORD=...
    # sslrootcert: the RDS CA bundle, from
    # https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
    aws:
      type: postgres
      host: "{{ env_var('GMODEL_AWS_HOST') }}"
      port: 5432
      user: "{{ env_var('GMODEL_AWS_USER') }}"
      password: "{{ env_var('GMODEL_AWS_PASSWORD') }}"
      dbname: __NAME__
      schema: public
      sslmode: verify-full
      sslrootcert: global-bundle.pem
      threads: 8
`},
	{".gitignore", `target/
.gmodel/
logs/
dbt_packages/
`},
	{"README.md", `# __NAME__

A gmodel project (dbt-compatible) in three medallion layers:

| layer  | folder         | schema | materialized | example                |
|--------|----------------|--------|--------------|------------------------|
| bronze | models/bronze/ | bronze | view         | brz_orders (reads the raw_orders seed) |
| silver | models/silver/ | silver | table        | slv_orders             |
| gold   | models/gold/   | gold   | table        | gld_customer_revenue   |

## Run it

    gmodel debug --target local     # shows the project and target, tests the connection
    gmodel seed --target local      # loads seeds/raw_orders.csv into bronze
    gmodel build --target local     # builds every model and runs its tests

The ` + "`local`" + ` target is a PostgreSQL that gmodel starts itself (with Docker, or
the PostgreSQL binaries, keeping its data in .gmodel/pg); ` + "`gmodel local status`" + `,
` + "`stop`" + ` and ` + "`destroy`" + ` control it.

## On AWS (RDS PostgreSQL)

    export GMODEL_AWS_HOST=... GMODEL_AWS_USER=... GMODEL_AWS_PASSWORD=...
    gmodel build --target aws

The aws target connects with sslmode verify-full; put the RDS CA bundle
(global-bundle.pem) in the project directory or change ` + "`sslrootcert`" + `.

## Other commands

    gmodel compile    # compiled SQL in target/compiled, no database needed
    gmodel ls         # the project's nodes
    gmodel clean      # deletes target/ and logs/
`},
}
