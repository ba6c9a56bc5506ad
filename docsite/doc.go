// Package docsite is gmodel's documentation: `docs generate` and
// `docs serve`.
//
// For `docs generate` it builds target/catalog.json in dbt's catalog v1
// layout: the columns, types, comments, owners and statistics of the
// relations a manifest names, read from the warehouse. The catalog queries
// are PostgreSQL's (pg_catalog), issued through adapters.Adapter.Query;
// other engines (Athena/Glue) will need an adapter-level hook before they
// can have a catalog.
//
// For `docs serve` it turns a target directory's artifacts (manifest.json,
// and catalog.json and run_results.json when present) into a Site: a
// compact index of every node, per-node details with Markdown and SQL
// rendered to HTML, search and dbt selection. Server serves the embedded
// web app (docsite/web) and that API over HTTP, reloading the Site when the
// artifacts change; WriteStatic writes the app and all of its data as one
// HTML file (`docs generate --static`). docsite/README.md has the API and
// the front end's contract.
package docsite
