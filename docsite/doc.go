// Package docsite builds gmodel's documentation artifacts. For now that is
// target/catalog.json in dbt's catalog v1 layout: the columns, types,
// comments, owners and statistics of the relations a manifest names, read
// from the warehouse.
//
// The catalog queries are PostgreSQL's (pg_catalog), issued through
// adapters.Adapter.Query; other engines (Athena/Glue) will need an
// adapter-level hook before they can have a catalog.
package docsite
