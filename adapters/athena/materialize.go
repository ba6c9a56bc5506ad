package athena

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/gmodel/gmodel/adapters"
)

// Names of the relations a build makes beside the target.
const (
	tmpSuffix    = "__gmodel_tmp"    // a table or view built aside, then swapped in
	newSuffix    = "__gmodel_new"    // an incremental run's new rows (a view)
	oldSuffix    = "__gmodel_old"    // an Iceberg table renamed away during a swap
	uploadSuffix = "__gmodel_upload" // a seed's uploaded rows
)

// Materialize builds m. Athena has no transactions: hooks run in dbt's
// order (pre-hooks outside then inside the would-be transaction, the
// build, post-hooks inside then outside), and atomicity comes from
// building aside and swapping through Glue.
func (a *Adapter) Materialize(ctx context.Context, m adapters.Materialization) (adapters.Result, error) {
	r := m.Relation
	if err := a.checkRelation(r); err != nil {
		return adapters.Result{}, err
	}
	var build func(context.Context, adapters.Materialization, tableConfig) (adapters.Result, error)
	switch m.Kind {
	case "view":
		build = a.buildView
	case "table":
		build = func(ctx context.Context, m adapters.Materialization, c tableConfig) (adapters.Result, error) {
			return a.buildTable(ctx, m.Relation, c, m.SQL)
		}
	case "incremental":
		build = a.buildIncremental
	default:
		return adapters.Result{}, adapters.Errorf(adapters.Invalid, "athena cannot materialize %q; use view, table or incremental", m.Kind)
	}
	cfg, err := parseTableConfig(m.Config)
	if err == nil {
		err = checkTableProperties(cfg)
	}
	if err != nil {
		return adapters.Result{}, err
	}
	if err := a.runHooks(ctx, "pre-hook", m.PreHooks, false); err != nil {
		return adapters.Result{}, err
	}
	if err := a.runHooks(ctx, "pre-hook", m.PreHooks, true); err != nil {
		return adapters.Result{}, err
	}
	res, err := build(ctx, m, cfg)
	if err != nil {
		return adapters.Result{}, err
	}
	if err := a.runHooks(ctx, "post-hook", m.PostHooks, true); err != nil {
		return res, err
	}
	if err := a.runHooks(ctx, "post-hook", m.PostHooks, false); err != nil {
		return res, err
	}
	return res, nil
}

func (a *Adapter) runHooks(ctx context.Context, what string, hooks []adapters.Hook, inTx bool) error {
	for i, h := range hooks {
		if h.Transaction != inTx || strings.TrimSpace(h.SQL) == "" {
			continue
		}
		if _, err := a.run(ctx, statement{sql: modelBody(h.SQL)}); err != nil {
			return wrapMsg(err, "%s %d", what, i+1)
		}
	}
	return nil
}

// wrapMsg prefixes an *adapters.Error's message, keeping the rest.
func wrapMsg(err error, format string, args ...any) error {
	var ae *adapters.Error
	if errors.As(err, &ae) {
		c := *ae
		c.Msg = fmt.Sprintf(format, args...) + ": " + ae.Msg
		return &c
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
}

// checkRelation refuses what Athena cannot name.
func (a *Adapter) checkRelation(r adapters.Relation) error {
	if err := a.checkCatalog(r.Database); err != nil {
		return err
	}
	if err := checkName("schema", r.Schema); err != nil {
		return err
	}
	if len(r.Identifier)+len(uploadSuffix) > maxName {
		return adapters.Errorf(adapters.Invalid, "athena: the name %q is too long to build aside (Glue allows %d bytes)", r.Identifier, maxName-len(uploadSuffix))
	}
	return checkName("table", r.Identifier)
}

func lower(r adapters.Relation) (schema, name string) {
	return strings.ToLower(r.Schema), strings.ToLower(r.Identifier)
}

func (a *Adapter) render(schema, name string) string {
	return Dialect{}.Render(adapters.Relation{Database: a.cfg.Database, Schema: schema, Identifier: name})
}

// guards are the locations nothing may be created over nor deleted from:
// the profile's directories and the locations of the schema's tables but
// those named in own (the target and what a build makes beside it).
func (a *Adapter) guards(ctx context.Context, schema string, own ...string) ([]guarded, error) {
	gs := []guarded{{dir: a.dataDir, what: "s3_data_dir"}, {dir: a.staging, what: "s3_staging_dir"}}
	if a.tmpDir != a.dataDir {
		gs = append(gs, guarded{dir: a.tmpDir, what: "s3_tmp_table_dir"})
	}
	tables, err := a.getTables(ctx, schema)
	if err != nil {
		return nil, err
	}
	for i := range tables {
		t := &tables[i]
		name := aws.ToString(t.Name)
		if isView(t) || containsFold(own, name) {
			continue
		}
		if d, err := parseDir(location(t)); err == nil {
			gs = append(gs, guarded{dir: d, what: "the location of table " + schema + "." + name, table: true})
		}
	}
	return gs, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// plan is where a table build writes and what it may delete afterwards,
// every location checked before anything changes.
type plan struct {
	schema, name string
	newLoc       s3Dir
	old          *gluetypes.Table
	oldLoc       *s3Dir // the old table's data, deleted after the swap
	guards       []guarded
	// props are table_properties a Hive table keeps as Glue parameters.
	props [][2]string
}

func (a *Adapter) planTable(ctx context.Context, schema, name string, c tableConfig) (*plan, error) {
	p := &plan{schema: schema, name: name}
	if c.TableType == hive {
		p.props = c.TableProperties
	}
	old, err := a.getTable(ctx, schema, name)
	if err != nil {
		return nil, err
	}
	p.old = old
	p.guards, err = a.guards(ctx, schema, name, name+tmpSuffix, name+oldSuffix, name+newSuffix, name+uploadSuffix)
	if err != nil {
		return nil, err
	}
	n := naming{dataDir: a.dataDir, scheme: a.cfg.S3DataNaming}
	if c.Naming != "" {
		n.scheme = c.Naming
	}
	base, err := n.base(schema, name, c.ExternalLocation)
	if err != nil {
		return nil, adapters.Errorf(adapters.Invalid, "athena: %v", err)
	}
	if c.ExternalLocation != "" {
		if err := checkLocation(base, "external_location of "+schema+"."+name, "build table "+schema+"."+name+" in", p.guards); err != nil {
			return nil, err
		}
	}
	p.newLoc = fresh(base)
	if err := checkLocation(p.newLoc, "the new location of "+schema+"."+name, "write", p.guards); err != nil {
		return nil, err
	}
	if old != nil && !isView(old) {
		if d, err := parseDir(location(old)); err == nil {
			if err := checkLocation(d, "the old location of "+schema+"."+name, "delete", p.guards); err != nil {
				return nil, err
			}
			p.oldLoc = &d
		}
	}
	return p, nil
}

// cleanAside removes a table or view a crashed build left under name:
// from Glue, and its data when its location passes the rule.
func (a *Adapter) cleanAside(ctx context.Context, p *plan, name string) error {
	t, err := a.getTable(ctx, p.schema, name)
	if err != nil || t == nil {
		return err
	}
	a.logf("removing %s.%s, left by an earlier build", p.schema, name)
	if err := a.deleteGlueTable(ctx, p.schema, name); err != nil {
		return err
	}
	if d, err := parseDir(location(t)); err == nil && !isView(t) {
		if checkLocation(d, "the location of "+p.schema+"."+name, "delete", p.guards) == nil {
			return a.deleteDir(ctx, d)
		}
	}
	return nil
}

// buildTable builds the model aside with CREATE TABLE AS under a fresh
// prefix and swaps it in: Hive tables by pointing the target's Glue
// entry at the new one (UpdateTable), Iceberg tables by renaming. Only
// then is the old data deleted, under the old table's own prefix.
func (a *Adapter) buildTable(ctx context.Context, r adapters.Relation, c tableConfig, sql string) (adapters.Result, error) {
	schema, name := lower(r)
	p, err := a.planTable(ctx, schema, name, c)
	if err != nil {
		return adapters.Result{}, err
	}
	tmp := name + tmpSuffix
	if err := a.cleanAside(ctx, p, tmp); err != nil {
		return adapters.Result{}, err
	}
	res, err := a.ctas(ctx, schema, tmp, c, p.newLoc, sql)
	if err != nil {
		a.discard(ctx, p, tmp)
		return adapters.Result{}, err
	}
	return res, a.swapIn(ctx, p, tmp, c)
}

// swapIn puts the table built aside as tmp in the target's place, then
// deletes the old table's data (its location was checked by planTable).
func (a *Adapter) swapIn(ctx context.Context, p *plan, tmp string, c tableConfig) error {
	var err error
	if c.TableType == iceberg {
		err = a.swapIceberg(ctx, p, tmp)
	} else {
		err = a.swapGlue(ctx, p, tmp)
	}
	if err != nil {
		return err
	}
	if p.oldLoc != nil && !(c.TableType == iceberg && isIceberg(p.old)) {
		// An Iceberg table replaced by rename was dropped with its data.
		if err := a.deleteDir(ctx, *p.oldLoc, p.newLoc); err != nil {
			return wrapMsg(err, "%s.%s was rebuilt, but its old data could not be deleted", p.schema, p.name)
		}
	}
	return nil
}

// discard removes what a failed build made aside: the table in Glue and
// everything under its fresh prefix (which nothing else can use).
func (a *Adapter) discard(ctx context.Context, p *plan, tmp string) {
	cctx := context.WithoutCancel(ctx)
	if err := a.deleteGlueTable(cctx, p.schema, tmp); err != nil {
		a.logf("could not remove %s.%s after a failed build: %v", p.schema, tmp, err)
	}
	if err := a.deleteDir(cctx, p.newLoc); err != nil {
		a.logf("could not delete %s after a failed build: %v", p.newLoc, err)
	}
}

// ctas creates schema.name from the model's SQL at loc. A Hive table may
// be written at most 100 partitions per statement: when Athena says so,
// the build goes by batches of partitions instead (CTAS of the first,
// INSERT INTO of the others).
func (a *Adapter) ctas(ctx context.Context, schema, name string, c tableConfig, loc s3Dir, sql string) (adapters.Result, error) {
	prefix := ctasPrefix(a.render(schema, name), c, loc)
	var err error
	for attempt := 0; ; attempt++ {
		var ex *execution
		ex, err = a.run(ctx, inModel(prefix, sql))
		if err == nil {
			return a.result(ctx, ex)
		}
		if !errors.Is(err, errRetryable) || attempt >= a.cfg.NumRetries {
			break
		}
		// A write is resubmitted only once what it wrote is gone: the
		// table aside and its fresh prefix are the build's own.
		a.logf("%v; building %s.%s again", err, schema, name)
		if err := a.clear(ctx, schema, name, loc); err != nil {
			return adapters.Result{}, err
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return adapters.Result{}, canceled(ctx, "", err)
		}
	}
	if !tooManyPartitions(err) || len(c.PartitionedBy) == 0 {
		return adapters.Result{}, err
	}
	a.logf("%s.%s writes more than 100 partitions: building it in batches", schema, name)
	// Athena may have written part of the table before failing.
	if err := a.clear(ctx, schema, name, loc); err != nil {
		return adapters.Result{}, err
	}
	return a.batched(ctx, sql, c.PartitionedBy, func(i int, body string) statement {
		if i == 0 {
			return inModel(prefix, body)
		}
		// Not resubmitted: a failed INSERT may leave files behind.
		return statement{sql: "insert into " + a.render(schema, name) + "\n" + body}
	})
}

// clear removes a table built aside from Glue and its data under its
// fresh prefix.
func (a *Adapter) clear(ctx context.Context, schema, name string, loc s3Dir) error {
	if err := a.deleteGlueTable(ctx, schema, name); err != nil {
		return err
	}
	return a.deleteDir(ctx, loc)
}

// partitionBatch is how many partitions one statement writes (Athena's
// limit).
const partitionBatch = 100

func tooManyPartitions(err error) bool {
	var ae *adapters.Error
	return errors.As(err, &ae) && strings.Contains(ae.Msg, "TOO_MANY_OPEN_PARTITIONS")
}

// batched runs stmt(i, select of batch i) for batches of at most 100 of
// the partitions the model's rows fall in.
func (a *Adapter) batched(ctx context.Context, sql string, partCols []string, stmt func(i int, body string) statement) (adapters.Result, error) {
	body := modelBody(sql)
	ex, err := a.run(ctx, plain(distinctPartitionsSQL(body, partCols)))
	if err != nil {
		return adapters.Result{}, err
	}
	rows, types, err := a.fetchTyped(ctx, ex)
	if err != nil {
		return adapters.Result{}, err
	}
	total := adapters.Result{}
	for i := 0; i*partitionBatch < len(rows.Values); i++ {
		batch := rows.Values[i*partitionBatch : min((i+1)*partitionBatch, len(rows.Values))]
		ex, err := a.run(ctx, stmt(i, batchSelectSQL(body, partitionFilter(partCols, types, batch))))
		if err != nil {
			return adapters.Result{}, wrapMsg(err, "batch %d of %d", i+1, (len(rows.Values)+partitionBatch-1)/partitionBatch)
		}
		res, err := a.result(ctx, ex)
		if err != nil {
			return adapters.Result{}, err
		}
		total.RowsAffected += res.RowsAffected
	}
	total.Message = fmt.Sprintf("OK %d", total.RowsAffected)
	return total, nil
}

// swapGlue makes the target what schema.tmp is, in one UpdateTable (or
// CreateTable when there was none): readers see the old table until the
// call, the new one after. Partitions follow. The Glue entry of tmp goes;
// its data is the target's now.
func (a *Adapter) swapGlue(ctx context.Context, p *plan, tmp string) error {
	t, err := a.getTable(ctx, p.schema, tmp)
	if err != nil {
		return err
	}
	if t == nil {
		return adapters.Errorf(adapters.Unknown, "athena: %s.%s is not in Glue after its CREATE TABLE AS", p.schema, tmp)
	}
	var oldParts, newParts []gluetypes.Partition
	if p.old != nil && len(p.old.PartitionKeys) > 0 && !isView(p.old) {
		if oldParts, err = a.partitions(ctx, p.schema, p.name); err != nil {
			return err
		}
	}
	if len(t.PartitionKeys) > 0 {
		if newParts, err = a.partitions(ctx, p.schema, tmp); err != nil {
			return err
		}
	}
	def := tableInput(t, p.name)
	if len(p.props) > 0 {
		params := map[string]string{}
		for k, v := range def.Parameters {
			params[k] = v
		}
		for _, kv := range p.props {
			params[kv[0]] = kv[1]
		}
		def.Parameters = params
	}
	if err := a.putTable(ctx, p.schema, p.old != nil, def); err != nil {
		return err
	}
	if err := a.deletePartitions(ctx, p.schema, p.name, oldParts); err != nil {
		return err
	}
	if err := a.createPartitions(ctx, p.schema, p.name, newParts); err != nil {
		return err
	}
	return a.deleteGlueTable(ctx, p.schema, tmp)
}

// swapIceberg renames the Iceberg table built aside into place. An old
// Iceberg table is renamed away first and dropped (with its data) after;
// anything else is removed from Glue first (Athena cannot rename it).
func (a *Adapter) swapIceberg(ctx context.Context, p *plan, tmp string) error {
	if p.old != nil && isIceberg(p.old) {
		old := p.name + oldSuffix
		if err := a.cleanAside(ctx, p, old); err != nil {
			return err
		}
		if _, err := a.run(ctx, plain(renameSQL(p.schema, p.name, old))); err != nil {
			return err
		}
		if _, err := a.run(ctx, statement{sql: renameSQL(p.schema, tmp, p.name)}); err != nil {
			// Put the old table back.
			if _, err2 := a.run(context.WithoutCancel(ctx), statement{sql: renameSQL(p.schema, old, p.name)}); err2 != nil {
				a.logf("could not rename %s.%s back to %s: %v", p.schema, old, p.name, err2)
			}
			return err
		}
		_, err := a.run(ctx, plain(dropTableSQL(p.schema, old)))
		return err
	}
	if p.old != nil {
		if err := a.deleteGlueTable(ctx, p.schema, p.name); err != nil {
			return err
		}
	}
	_, err := a.run(ctx, statement{sql: renameSQL(p.schema, tmp, p.name)})
	return err
}

// buildView replaces a view with CREATE OR REPLACE VIEW, which Athena
// does atomically. A table becomes a view by building the view aside and
// swapping its Glue entry in, then deleting the table's data.
func (a *Adapter) buildView(ctx context.Context, m adapters.Materialization, _ tableConfig) (adapters.Result, error) {
	schema, name := lower(m.Relation)
	old, err := a.getTable(ctx, schema, name)
	if err != nil {
		return adapters.Result{}, err
	}
	if old == nil || isView(old) {
		if _, err := a.run(ctx, inModel(viewPrefix(a.render(schema, name)), m.SQL)); err != nil {
			return adapters.Result{}, err
		}
		return adapters.Result{Message: "CREATE VIEW"}, nil
	}
	p := &plan{schema: schema, name: name, old: old}
	if p.guards, err = a.guards(ctx, schema, name, name+tmpSuffix); err != nil {
		return adapters.Result{}, err
	}
	if d, err := parseDir(location(old)); err == nil {
		if err := checkLocation(d, "the old location of "+schema+"."+name, "delete", p.guards); err != nil {
			return adapters.Result{}, err
		}
		p.oldLoc = &d
	}
	tmp := name + tmpSuffix
	if err := a.cleanAside(ctx, p, tmp); err != nil {
		return adapters.Result{}, err
	}
	if _, err := a.run(ctx, inModel(viewPrefix(a.render(schema, tmp)), m.SQL)); err != nil {
		return adapters.Result{}, err
	}
	if err := a.swapGlue(ctx, p, tmp); err != nil {
		return adapters.Result{}, err
	}
	if p.oldLoc != nil {
		if err := a.deleteDir(ctx, *p.oldLoc); err != nil {
			return adapters.Result{}, wrapMsg(err, "the view replaced the table, but the table's data could not be deleted")
		}
	}
	return adapters.Result{Message: "CREATE VIEW"}, nil
}
