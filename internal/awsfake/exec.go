package awsfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
)

// The effects of Athena statements on the fake's Glue and S3 state. Each
// statement either fails with Athena's error (a *sqlError) and changes
// nothing, or succeeds and applies all its effects at once. Hooks run
// without the lock; everything else holds it.

// execute runs a query's statement.
func (s *Server) execute(q *query) error {
	switch q.st.kind {
	case kSelect:
		return s.execSelect(q)
	case kCTAS:
		return s.execCTAS(q)
	case kCreateView:
		return s.execView(q)
	case kInsert:
		return s.execInsert(q)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.execDDL(q)
}

// inferrer reads q's select lists against the Glue catalog. Callers hold mu
// while they use it.
func (s *Server) inferrer(q *query) *inferrer {
	return &inferrer{src: q.text, lookup: func(n qname) ([]colDef, error) {
		db, name, err := s.resolve(q, n)
		if err != nil {
			return nil, err
		}
		if db == "information_schema" || strings.Contains(name, "$") {
			return nil, nil // metadata tables: they exist, their columns are not modelled
		}
		d, ok := s.glue.dbs[db]
		if !ok {
			return nil, failf("SCHEMA_NOT_FOUND", "%s: Schema '%s' does not exist", lineCol(q.text, n.pos), db)
		}
		t, ok := d.tables[name]
		if !ok {
			return nil, failf("TABLE_NOT_FOUND", "%s: Table 'awsdatacatalog.%s.%s' does not exist", lineCol(q.text, n.pos), db, name)
		}
		return tableColumns(t), nil
	}}
}

// tableColumns lists a table's columns as queries see them: the data
// columns, then the partition keys.
func tableColumns(t *gluetypes.Table) []colDef {
	cols := []colDef{}
	add := func(cs []gluetypes.Column) {
		for _, c := range cs {
			cols = append(cols, colDef{name: strings.ToLower(deref(c.Name)), typ: deref(c.Type), comment: deref(c.Comment)})
		}
	}
	if t.StorageDescriptor != nil {
		add(t.StorageDescriptor.Columns)
	}
	add(t.PartitionKeys)
	return cols
}

// resolve qualifies a relation name with the query's context.
func (s *Server) resolve(q *query, n qname) (db, name string, err error) {
	if n.catalog != "" && !strings.EqualFold(n.catalog, q.catalog) && n.catalog != "awsdatacatalog" {
		return "", "", failf("CATALOG_NOT_FOUND", "%s: Catalog '%s' does not exist", lineCol(q.text, n.pos), n.catalog)
	}
	db = n.db
	if db == "" {
		db = q.db
	}
	return db, n.name, nil
}

func fqn(db, name string) string { return "awsdatacatalog." + db + "." + name }

func (s *Server) execSelect(q *query) error {
	s.mu.Lock()
	var err error
	if len(q.st.query) > 0 {
		_, _, err = s.inferrer(q).query(q.st.query, nil)
	}
	hook := s.onSelect
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if hook == nil {
		return &sqlError{reason: "awsfake: no result scripted for: " + prefix(q.sql, 200)}
	}
	r, err := hook(q.sql)
	if err != nil {
		return &sqlError{reason: err.Error()}
	}
	if r == nil {
		r = &Result{}
	}
	for i, row := range r.Rows {
		if len(row) != len(r.Columns) {
			return &sqlError{reason: fmt.Sprintf("awsfake: scripted result row %d has %d values for %d columns", i, len(row), len(r.Columns))}
		}
	}
	s.mu.Lock()
	q.result = r
	s.mu.Unlock()
	return nil
}

// outputColumns infers a query's columns, asking OnColumns when the
// select list cannot tell. Callers do not hold mu.
func (s *Server) outputColumns(q *query) ([]colDef, error) {
	s.mu.Lock()
	cols, known, err := s.inferrer(q).query(q.st.query, nil)
	hook := s.onCols
	s.mu.Unlock()
	if err != nil || known {
		return cols, err
	}
	sel := text(q.text, q.st.query)
	var scripted []Col
	if hook != nil {
		scripted = hook(sel)
	}
	if scripted == nil {
		return nil, &sqlError{reason: "awsfake: cannot tell the columns of: " + prefix(sel, 200) + " (script them with OnColumns)"}
	}
	cols = nil
	for _, c := range scripted {
		typ := c.Type
		if typ == "" {
			typ = "string"
		}
		cols = append(cols, colDef{name: strings.ToLower(c.Name), typ: typ})
	}
	return cols, nil
}

// partitionValues asks OnPartitionValues, without mu held.
func (s *Server) partitionValues(q *query) [][]string {
	s.mu.Lock()
	hook := s.onParts
	s.mu.Unlock()
	if hook == nil {
		return nil
	}
	return hook(q.sql)
}

// ctasProps are the CREATE TABLE AS properties Athena knows.
var ctasProps = map[string]bool{
	"table_type": true, "external_location": true, "location": true, "is_external": true, "format": true,
	"partitioned_by": true, "partitioning": true, "bucketed_by": true, "bucket_count": true,
	"write_compression": true, "orc_compression": true, "parquet_compression": true, "compression_level": true,
	"field_delimiter": true, "vacuum_min_snapshots_to_keep": true, "vacuum_max_snapshot_age_seconds": true,
	"vacuum_max_metadata_files_to_keep": true, "optimize_rewrite_min_data_file_size_bytes": true,
	"optimize_rewrite_max_data_file_size_bytes": true, "optimize_rewrite_data_file_threshold": true,
	"optimize_rewrite_delete_file_threshold": true,
}

var hiveFormats = map[string][3]string{ // input format, output format, serde
	"parquet":  {"org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat", "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
	"orc":      {"org.apache.hadoop.hive.ql.io.orc.OrcInputFormat", "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat", "org.apache.hadoop.hive.ql.io.orc.OrcSerde"},
	"avro":     {"org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat", "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat", "org.apache.hadoop.hive.serde2.avro.AvroSerDe"},
	"textfile": {"org.apache.hadoop.mapred.TextInputFormat", "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat", "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"},
	"json":     {"org.apache.hadoop.mapred.TextInputFormat", "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat", "org.openx.data.jsonserde.JsonSerDe"},
}

func (s *Server) execCTAS(q *query) error {
	cols, err := s.outputColumns(q)
	if err != nil {
		return err
	}
	var parts [][]string
	if q.st.props["partitioned_by"] != "" || q.st.props["partitioning"] != "" {
		parts = s.partitionValues(q)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := q.st
	d, db, name, err := s.schemaOf(q, st.name)
	if err != nil {
		return err
	}
	lc := lineCol(q.text, st.name.pos)
	if _, exists := d.tables[name]; exists {
		if st.ifNot {
			return nil
		}
		return failf("TABLE_ALREADY_EXISTS", "%s: Table '%s' already exists", lc, fqn(db, name))
	}
	for _, k := range slices.Sorted(maps.Keys(st.props)) {
		if !ctasProps[k] {
			return failf("INVALID_TABLE_PROPERTY", "%s: Catalog 'awsdatacatalog' table property '%s' does not exist", lc, k)
		}
	}
	tableType := strings.ToLower(st.props["table_type"])
	if tableType == "" {
		tableType = "hive"
	}
	iceberg := tableType == "iceberg"
	if !iceberg && tableType != "hive" {
		return failf("INVALID_TABLE_PROPERTY", "%s: Unsupported table type: %s (HIVE or ICEBERG)", lc, st.props["table_type"])
	}
	format := strings.ToLower(st.props["format"])
	if format == "" {
		format = "parquet"
	}
	if _, ok := hiveFormats[format]; !ok || iceberg && format != "parquet" && format != "orc" && format != "avro" {
		return failf("INVALID_TABLE_PROPERTY", "%s: Unsupported format %s for %s tables", lc, st.props["format"], strings.ToUpper(tableType))
	}
	locProp, wrongProp := "external_location", "location"
	if iceberg {
		locProp, wrongProp = "location", "external_location"
	}
	if _, ok := st.props[wrongProp]; ok {
		return failf("INVALID_TABLE_PROPERTY", "%s: Table property '%s' does not apply to %s tables; use '%s'", lc, wrongProp, strings.ToUpper(tableType), locProp)
	}
	loc, err := s.tableLocation(q, st.props[locProp], db, name)
	if err != nil {
		return err
	}
	if !iceberg && len(s.s3List(dir(loc))) > 0 {
		return failf("HIVE_PATH_ALREADY_EXISTS", "Target directory for table '%s.%s' already exists: %s. You may need to manually clean the data at location '%s' before retrying. Athena will not delete data in your account.", db, name, loc, dir(loc))
	}
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c.name] {
			return failf("DUPLICATE_COLUMN_NAME", "%s: Column name '%s' specified more than once", lc, c.name)
		}
		seen[c.name] = true
	}

	t := &gluetypes.Table{Name: aws.String(name), DatabaseName: aws.String(db), TableType: aws.String("EXTERNAL_TABLE")}
	sd := &gluetypes.StorageDescriptor{Location: aws.String(loc)}
	t.StorageDescriptor = sd
	dataCols := cols
	if iceberg {
		for _, item := range splitList(firstNonEmpty(st.props["partitioning"], st.props["partitioned_by"])) {
			if c := transformColumn(item); !seen[c] {
				return failf("INVALID_TABLE_PROPERTY", "%s: Unable to parse partitioning value: Cannot find source column: %s", lc, c)
			}
		}
		t.Parameters = map[string]string{"table_type": "ICEBERG", "format": format}
		if wc := st.props["write_compression"]; wc != "" {
			t.Parameters["write_compression"] = strings.ToLower(wc)
		}
	} else {
		pcols := splitList(st.props["partitioned_by"])
		for i := range pcols {
			pcols[i] = strings.ToLower(pcols[i])
		}
		if len(pcols) > 0 {
			var tail []string
			if len(pcols) <= len(cols) {
				for _, c := range cols[len(cols)-len(pcols):] {
					tail = append(tail, c.name)
				}
			}
			if !slices.Equal(tail, pcols) {
				return failf("HIVE_COLUMN_ORDER_MISMATCH", "Partition keys must be the last columns in the table and in the same order as the table properties: [%s]", strings.Join(pcols, ", "))
			}
			dataCols = cols[:len(cols)-len(pcols)]
			for _, c := range cols[len(cols)-len(pcols):] {
				t.PartitionKeys = append(t.PartitionKeys, gluetypes.Column{Name: aws.String(c.name), Type: aws.String(c.typ)})
			}
		}
		f := hiveFormats[format]
		sd.InputFormat, sd.OutputFormat = aws.String(f[0]), aws.String(f[1])
		sd.SerdeInfo = &gluetypes.SerDeInfo{SerializationLibrary: aws.String(f[2]), Parameters: map[string]string{"serialization.format": "1"}}
		t.Parameters = map[string]string{"EXTERNAL": "TRUE", "has_encrypted_data": "false", "classification": format}
		if wc := st.props["write_compression"]; wc != "" {
			t.Parameters[format+".compression"] = strings.ToUpper(wc)
			sd.Compressed = !strings.EqualFold(wc, "none")
		}
	}
	bucketCount := 0
	if b := splitList(st.props["bucketed_by"]); len(b) > 0 {
		for i, c := range b {
			b[i] = strings.ToLower(c)
			if !seen[b[i]] {
				return failf("INVALID_TABLE_PROPERTY", "%s: Bucketing column '%s' not present in the table", lc, c)
			}
		}
		n, err := strconv.Atoi(st.props["bucket_count"])
		if err != nil || n < 1 {
			return failf("INVALID_TABLE_PROPERTY", "%s: bucket_count must be set to a positive number when bucketed_by is set", lc)
		}
		sd.BucketColumns, sd.NumberOfBuckets, bucketCount = b, int32(n), n
	}
	for _, c := range dataCols {
		sd.Columns = append(sd.Columns, gluetypes.Column{Name: aws.String(c.name), Type: aws.String(c.typ)})
	}
	if err := checkWriters(parts, bucketCount, iceberg); err != nil {
		return err
	}
	if err := checkPartitionValues(parts, t, iceberg); err != nil {
		return err
	}
	if e := s.putTable(t); e != nil {
		return &sqlError{reason: e.Error()}
	}
	s.writeData(q, t, parts)
	q.updateCount = aws.Int64(0)
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// splitList splits a property array ("a,b"); empty gives nil.
func splitList(v string) []string {
	if v == "" {
		return nil
	}
	return splitDepth0(v)
}

// transformColumn returns the source column of an Iceberg partition
// transform: "c", "day(c)", "bucket(16, c)", "truncate(c, 4)".
func transformColumn(item string) string {
	item = strings.ToLower(strings.TrimSpace(item))
	_, args, ok := strings.Cut(item, "(")
	if !ok {
		return strings.Trim(item, `"`)
	}
	for _, a := range strings.Split(strings.TrimSuffix(args, ")"), ",") {
		a = strings.Trim(strings.TrimSpace(a), `"`)
		if _, err := strconv.Atoi(a); err != nil {
			return a
		}
	}
	return item
}

// checkWriters enforces Athena's limit of 100 partitions and buckets one
// query may write.
func checkWriters(parts [][]string, buckets int, iceberg bool) error {
	distinct := map[string]bool{}
	for _, p := range parts {
		distinct[partKey(p)] = true
	}
	if max(len(distinct), 1)*max(buckets, 1) <= 100 {
		return nil
	}
	name := "HIVE_TOO_MANY_OPEN_PARTITIONS"
	if iceberg {
		name = "ICEBERG_TOO_MANY_OPEN_PARTITIONS"
	}
	return failf(name, "Exceeded limit of 100 open writers for partitions/buckets (this query writes %d partitions)", len(distinct))
}

func checkPartitionValues(parts [][]string, t *gluetypes.Table, iceberg bool) error {
	if iceberg {
		return nil
	}
	for _, p := range parts {
		if len(p) != len(t.PartitionKeys) {
			return &sqlError{reason: fmt.Sprintf("awsfake: OnPartitionValues gave %d values for the %d partition keys of %s", len(p), len(t.PartitionKeys), deref(t.Name))}
		}
	}
	return nil
}

// tableLocation returns where a new table goes: its location property,
// else DefaultLocation/<db>/<table>/, else Athena's own default under the
// query's output location. Callers hold mu.
func (s *Server) tableLocation(q *query, prop, db, name string) (string, error) {
	loc := prop
	switch {
	case loc != "":
	case s.DefaultLocation != "":
		loc = dir(s.DefaultLocation) + db + "/" + name + "/"
	default:
		loc = q.output[:strings.LastIndex(q.output, "/")+1] + "tables/" + q.id + "/"
	}
	if b, k, ok := parseS3URI(loc); !ok || b == "" || strings.Contains(k, "//") {
		return "", failf("INVALID_TABLE_PROPERTY", "The location %q is not a valid s3:// location", loc)
	}
	return loc, nil
}

// dir returns an s3:// location with one trailing slash, as a prefix.
func dir(loc string) string { return strings.TrimRight(loc, "/") + "/" }

func isIceberg(t *gluetypes.Table) bool {
	return strings.EqualFold(t.Parameters["table_type"], "ICEBERG")
}

func isView(t *gluetypes.Table) bool { return deref(t.TableType) == "VIRTUAL_VIEW" }

func location(t *gluetypes.Table) string {
	if t.StorageDescriptor == nil {
		return ""
	}
	return deref(t.StorageDescriptor.Location)
}

// partitionPath is "k1=v1/k2=v2/" for a Hive partition.
func partitionPath(keys []gluetypes.Column, values []string) string {
	var b strings.Builder
	for i, k := range keys {
		b.WriteString(strings.ToLower(deref(k.Name)) + "=" + strings.ReplaceAll(values[i], "/", "%2F") + "/")
	}
	return b.String()
}

// writeData writes the data objects of a CTAS or INSERT, registers new
// Hive partitions and commits Iceberg metadata. Callers hold mu.
func (s *Server) writeData(q *query, t *gluetypes.Table, parts [][]string) {
	loc := dir(location(t))
	content := []byte("awsfake data written by query " + q.id + "\n")
	if isIceberg(t) {
		for i := range max(len(parts), 1) {
			s.s3Put(fmt.Sprintf("%sdata/%s-%05d.parquet", loc, q.id, i), content)
		}
		s.commitIceberg(q, t)
		return
	}
	if len(parts) == 0 || len(t.PartitionKeys) == 0 {
		s.s3Put(loc+q.id+"_00000", content)
		return
	}
	existing, _ := s.glue.partitionsOf(deref(t.DatabaseName), deref(t.Name))
	for _, p := range parts {
		pdir := loc + partitionPath(t.PartitionKeys, p)
		s.s3Put(pdir+q.id+"_00000", content)
		if _, ok := existing[partKey(p)]; ok {
			continue
		}
		psd := clone(t.StorageDescriptor)
		psd.Location = aws.String(strings.TrimSuffix(pdir, "/"))
		existing[partKey(p)] = s.newPartition(deref(t.DatabaseName), deref(t.Name), &gluetypes.PartitionInput{
			Values: slices.Clone(p), StorageDescriptor: psd,
		})
	}
}

// commitIceberg writes a new metadata file and points the table at it.
func (s *Server) commitIceberg(q *query, t *gluetypes.Table) {
	loc := dir(location(t))
	n := len(s.s3List(loc + "metadata/"))
	meta := fmt.Sprintf("%smetadata/%05d-%s.metadata.json", loc, n, q.id)
	s.s3Put(meta, []byte(`{"format-version":2,"location":"`+strings.TrimSuffix(loc, "/")+`"}`))
	params := copyMap(t.Parameters)
	if old := params["metadata_location"]; old != "" {
		params["previous_metadata_location"] = old
	}
	params["metadata_location"] = meta
	t.Parameters = params
	s.touch(t)
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+2)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// touch bumps a table's version as a Glue UpdateTable does.
func (s *Server) touch(t *gluetypes.Table) {
	v, _ := strconv.Atoi(deref(t.VersionId))
	t.VersionId = aws.String(strconv.Itoa(v + 1))
	t.UpdateTime = aws.Time(s.now())
}

func (s *Server) execView(q *query) error {
	cols, err := s.outputColumns(q)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := q.st
	d, db, name, err := s.schemaOf(q, st.name)
	if err != nil {
		return err
	}
	lc := lineCol(q.text, st.name.pos)
	old, exists := d.tables[name]
	switch {
	case exists && !isView(old):
		return failf("TABLE_ALREADY_EXISTS", "%s: Table '%s' already exists and is not a view", lc, fqn(db, name))
	case exists && !st.orReplace:
		return failf("TABLE_ALREADY_EXISTS", "%s: View '%s' already exists", lc, fqn(db, name))
	}
	type viewCol struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	def := struct {
		OriginalSQL  string    `json:"originalSql"`
		Catalog      string    `json:"catalog"`
		Schema       string    `json:"schema"`
		Columns      []viewCol `json:"columns"`
		Owner        string    `json:"owner"`
		RunAsInvoker bool      `json:"runAsInvoker"`
	}{OriginalSQL: text(q.text, st.query), Catalog: "awsdatacatalog", Schema: db}
	sd := &gluetypes.StorageDescriptor{SerdeInfo: &gluetypes.SerDeInfo{}}
	for _, c := range cols {
		def.Columns = append(def.Columns, viewCol{c.name, c.typ})
		sd.Columns = append(sd.Columns, gluetypes.Column{Name: aws.String(c.name), Type: aws.String(c.typ)})
	}
	js, _ := json.Marshal(def)
	t := &gluetypes.Table{
		Name: aws.String(name), DatabaseName: aws.String(db), TableType: aws.String("VIRTUAL_VIEW"),
		Parameters:        map[string]string{"presto_view": "true", "comment": "Presto View"},
		ViewOriginalText:  aws.String("/* Presto View: " + base64.StdEncoding.EncodeToString(js) + " */"),
		ViewExpandedText:  aws.String("/* Presto View */"),
		StorageDescriptor: sd,
	}
	if exists {
		s.replaceTable(old, t)
		return nil
	}
	if e := s.putTable(t); e != nil {
		return &sqlError{reason: e.Error()}
	}
	return nil
}

func (s *Server) execInsert(q *query) error {
	s.mu.Lock()
	cols, known, err := s.inferrer(q).query(q.st.query, nil)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	parts := s.partitionValues(q)
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.targetTable(q, q.st.name)
	if err != nil {
		return err
	}
	if isView(t) {
		return failf("NOT_SUPPORTED", "%s: Inserting into views is not supported", lineCol(q.text, q.st.name.pos))
	}
	if want := len(tableColumns(t)); known && len(cols) != want {
		return failf("TYPE_MISMATCH", "%s: Insert query has %d columns, but table %s has %d", lineCol(q.text, q.st.name.pos), len(cols), fqn(deref(t.DatabaseName), deref(t.Name)), want)
	}
	buckets := 0
	if t.StorageDescriptor != nil {
		buckets = int(t.StorageDescriptor.NumberOfBuckets)
	}
	if err := checkWriters(parts, buckets, isIceberg(t)); err != nil {
		return err
	}
	if err := checkPartitionValues(parts, t, isIceberg(t)); err != nil {
		return err
	}
	s.writeData(q, t, parts)
	q.updateCount = aws.Int64(0)
	return nil
}

// targetTable finds the existing table a statement names. Callers hold mu.
func (s *Server) targetTable(q *query, n qname) (*gluetypes.Table, error) {
	d, db, name, err := s.schemaOf(q, n)
	if err != nil {
		return nil, err
	}
	t, ok := d.tables[name]
	if !ok {
		return nil, failf("TABLE_NOT_FOUND", "%s: Table '%s' does not exist", lineCol(q.text, n.pos), fqn(db, name))
	}
	return t, nil
}

// schemaOf resolves a relation name and finds its existing database.
// Callers hold mu.
func (s *Server) schemaOf(q *query, n qname) (d *glueDB, db, name string, err error) {
	if db, name, err = s.resolve(q, n); err != nil {
		return nil, "", "", err
	}
	d, ok := s.glue.dbs[db]
	if !ok {
		return nil, "", "", failf("SCHEMA_NOT_FOUND", "%s: Schema '%s' does not exist", lineCol(q.text, n.pos), db)
	}
	return d, db, name, nil
}

// execDDL runs the statements that need no hook. Callers hold mu.
func (s *Server) execDDL(q *query) error {
	st := q.st
	lc := lineCol(q.text, st.name.pos)
	switch st.kind {
	case kCreateDB:
		name := st.name.name
		if _, ok := s.glue.dbs[name]; ok {
			if st.ifNot {
				return nil
			}
			return failf("ALREADY_EXISTS", "Database %s already exists", name)
		}
		db := gluetypes.Database{Name: aws.String(name), CreateTime: aws.Time(s.now())}
		if st.location != "" {
			db.LocationUri = aws.String(st.location)
		}
		s.glue.createDB(db)
		return nil

	case kDropDB:
		name := st.name.name
		d, ok := s.glue.dbs[name]
		switch {
		case !ok && st.ifExists:
			return nil
		case !ok:
			return failf("SCHEMA_NOT_FOUND", "Database does not exist: %s", name)
		case len(d.tables) > 0 && !st.cascade:
			return failf("INVALID_OPERATION", "Database %s is not empty. One or more tables exist.", name)
		}
		for _, t := range d.tables {
			if isIceberg(t) {
				s.s3DeleteUnder(dir(location(t)))
			}
		}
		delete(s.glue.dbs, name)
		return nil

	case kDropTable, kDropView:
		db, name, err := s.resolve(q, st.name)
		if err != nil {
			return err
		}
		t, terr := s.glue.table(db, name)
		switch {
		case terr != nil && st.ifExists:
			return nil
		case terr != nil && st.kind == kDropView:
			return failf("TABLE_NOT_FOUND", "%s: View '%s' does not exist", lc, fqn(db, name))
		case terr != nil:
			return failf("TABLE_NOT_FOUND", "Table not found %s.%s", db, name)
		case st.kind == kDropView && !isView(t):
			return failf("TABLE_NOT_FOUND", "%s: View '%s' does not exist", lc, fqn(db, name))
		case st.kind == kDropTable && isView(t):
			return failf("INVALID_OPERATION", "Cannot drop a view with DROP TABLE: %s.%s (use DROP VIEW)", db, name)
		}
		if isIceberg(t) { // Athena deletes an Iceberg table's data with it; Hive data stays
			s.s3DeleteUnder(dir(location(t)))
		}
		s.glue.dropTable(db, name)
		return nil

	case kCreateTable:
		return s.createTable(q)

	case kMsck:
		t, err := s.targetTable(q, st.name)
		if err != nil {
			return err
		}
		if isIceberg(t) || len(t.PartitionKeys) == 0 {
			return nil
		}
		loc := dir(location(t))
		existing, _ := s.glue.partitionsOf(deref(t.DatabaseName), deref(t.Name))
		for _, obj := range s.s3List(loc) {
			segs := strings.Split(strings.TrimPrefix(obj, loc), "/")
			if len(segs) <= len(t.PartitionKeys) {
				continue
			}
			var values []string
			for i, k := range t.PartitionKeys {
				v, ok := strings.CutPrefix(segs[i], strings.ToLower(deref(k.Name))+"=")
				if !ok {
					values = nil
					break
				}
				values = append(values, strings.ReplaceAll(v, "%2F", "/"))
			}
			if values == nil || existing[partKey(values)] != nil {
				continue
			}
			psd := clone(t.StorageDescriptor)
			psd.Location = aws.String(loc + strings.TrimSuffix(partitionPath(t.PartitionKeys, values), "/"))
			existing[partKey(values)] = s.newPartition(deref(t.DatabaseName), deref(t.Name), &gluetypes.PartitionInput{Values: values, StorageDescriptor: psd})
		}
		return nil
	}

	t, err := s.targetTable(q, st.name)
	if err != nil {
		return err
	}
	db, name := deref(t.DatabaseName), deref(t.Name)
	iceberg := isIceberg(t)
	if isView(t) {
		return failf("NOT_SUPPORTED", "%s: %s is not supported on views", lc, st.subType)
	}
	switch st.kind {
	case kRename:
		if !iceberg {
			return failf("NOT_SUPPORTED", "%s: ALTER TABLE RENAME TO is supported only for Iceberg tables (%s is a Hive table)", lc, fqn(db, name))
		}
		d, tdb, tname, err := s.schemaOf(q, st.to)
		if err != nil {
			return err
		}
		if _, ok := d.tables[tname]; ok {
			return failf("TABLE_ALREADY_EXISTS", "%s: Table '%s' already exists", lineCol(q.text, st.to.pos), fqn(tdb, tname))
		}
		s.glue.dropTable(db, name)
		t.Name, t.DatabaseName = aws.String(tname), aws.String(tdb)
		s.touch(t)
		d.tables[tname] = t
		return nil

	case kIcebergDML:
		if !iceberg {
			return failf("NOT_SUPPORTED", "%s: %s is supported only for Iceberg tables (%s is a Hive table)", lc, st.verb, fqn(db, name))
		}
		switch st.verb {
		case "MERGE", "DELETE", "UPDATE":
			s.writeData(q, t, nil)
			q.updateCount = aws.Int64(0)
		case "OPTIMIZE":
			s.commitIceberg(q, t)
		}
		return nil

	case kAddPartition, kDropPartition:
		if iceberg {
			return failf("NOT_SUPPORTED", "%s: %s is not supported for Iceberg tables", lc, st.subType)
		}
		parts, _ := s.glue.partitionsOf(db, name)
		var values [][]string
		for _, ps := range st.parts {
			v, err := orderPartition(ps, t.PartitionKeys)
			if err != nil {
				return err
			}
			values = append(values, v)
			_, exists := parts[partKey(v)]
			switch {
			case st.kind == kAddPartition && exists && !st.ifNot:
				return failf("ALREADY_EXISTS", "Partition already exists: %s", strings.Join(v, ", "))
			case st.kind == kDropPartition && !exists && !st.ifExists:
				return failf("PARTITION_NOT_FOUND", "Partition not found: %s", strings.Join(v, ", "))
			}
		}
		for i, v := range values {
			k := partKey(v)
			if st.kind == kDropPartition {
				delete(parts, k)
				continue
			}
			if parts[k] != nil {
				continue
			}
			psd := clone(t.StorageDescriptor)
			ploc := st.parts[i].location
			if ploc == "" {
				ploc = dir(location(t)) + strings.TrimSuffix(partitionPath(t.PartitionKeys, v), "/")
			}
			psd.Location = aws.String(ploc)
			parts[k] = s.newPartition(db, name, &gluetypes.PartitionInput{Values: v, StorageDescriptor: psd})
		}
		return nil

	case kSetLocation:
		if iceberg {
			return failf("NOT_SUPPORTED", "%s: SET LOCATION is not supported for Iceberg tables", lc)
		}
		if _, _, ok := parseS3URI(st.location); !ok {
			return failf("INVALID_OPERATION", "%s: %q is not an s3:// location", lc, st.location)
		}
		t.StorageDescriptor.Location = aws.String(st.location)
		s.touch(t)
		return nil

	case kSetProperties:
		params := copyMap(t.Parameters)
		for k, v := range st.props {
			params[k] = v
		}
		t.Parameters = params
		s.touch(t)
		return nil

	case kAddColumns, kReplaceColumns, kDropColumn, kChangeColumn:
		return s.alterColumns(q, t)
	}
	return failf("NOT_SUPPORTED", "awsfake: unsupported statement: %s", prefix(q.sql, 60))
}

// orderPartition puts a PARTITION (...) spec's values in key order.
func orderPartition(ps partSpec, keys []gluetypes.Column) ([]string, error) {
	if len(ps.keys) != len(keys) {
		return nil, failf("INVALID_PARTITION", "The partition spec has %d keys; the table has %d partition keys", len(ps.keys), len(keys))
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		j := slices.Index(ps.keys, strings.ToLower(deref(k.Name)))
		if j < 0 {
			return nil, failf("INVALID_PARTITION", "Partition key %s is missing from the partition spec", deref(k.Name))
		}
		out[i] = ps.values[j]
	}
	return out, nil
}

func (s *Server) alterColumns(q *query, t *gluetypes.Table) error {
	st := q.st
	lc := lineCol(q.text, st.name.pos)
	iceberg := isIceberg(t)
	cols := slices.Clone(t.StorageDescriptor.Columns)
	index := func(name string) int {
		return slices.IndexFunc(cols, func(c gluetypes.Column) bool { return strings.EqualFold(deref(c.Name), name) })
	}
	glueCol := func(c colDef) gluetypes.Column {
		gc := gluetypes.Column{Name: aws.String(c.name), Type: aws.String(c.typ)}
		if c.comment != "" {
			gc.Comment = aws.String(c.comment)
		}
		return gc
	}
	switch st.kind {
	case kAddColumns:
		for _, c := range st.columns {
			if index(c.name) >= 0 || slices.ContainsFunc(t.PartitionKeys, func(k gluetypes.Column) bool { return deref(k.Name) == c.name }) {
				return failf("COLUMN_ALREADY_EXISTS", "%s: Column '%s' already exists", lc, c.name)
			}
			cols = append(cols, glueCol(c))
		}
	case kReplaceColumns:
		if iceberg {
			return failf("NOT_SUPPORTED", "%s: REPLACE COLUMNS is not supported for Iceberg tables", lc)
		}
		cols = nil
		for _, c := range st.columns {
			cols = append(cols, glueCol(c))
		}
	case kDropColumn:
		if !iceberg {
			return failf("NOT_SUPPORTED", "%s: DROP COLUMN is supported only for Iceberg tables; use REPLACE COLUMNS", lc)
		}
		i := index(st.column)
		if i < 0 {
			return failf("COLUMN_NOT_FOUND", "%s: Column '%s' does not exist", lc, st.column)
		}
		cols = slices.Delete(cols, i, i+1)
	case kChangeColumn:
		i := index(st.column)
		if i < 0 {
			return failf("COLUMN_NOT_FOUND", "%s: Column '%s' does not exist", lc, st.column)
		}
		cols[i] = glueCol(st.newColumn)
	}
	t.StorageDescriptor.Columns = cols
	s.touch(t)
	return nil
}

// createTable runs CREATE [EXTERNAL] TABLE with a column list. Callers
// hold mu.
func (s *Server) createTable(q *query) error {
	st := q.st
	lc := lineCol(q.text, st.name.pos)
	iceberg := strings.EqualFold(st.props["table_type"], "iceberg")
	switch {
	case iceberg && st.external:
		return failf("NOT_SUPPORTED", "External keyword not supported for table type ICEBERG.")
	case !iceberg && !st.external:
		return failf("NOT_SUPPORTED", "Only external table creation is supported (CREATE EXTERNAL TABLE), or set TBLPROPERTIES ('table_type'='ICEBERG').")
	}
	d, db, name, err := s.schemaOf(q, st.name)
	if err != nil {
		return err
	}
	if _, exists := d.tables[name]; exists {
		if st.ifNot {
			return nil
		}
		return failf("ALREADY_EXISTS", "Table %s.%s already exists", db, name)
	}
	loc, err := s.tableLocation(q, st.location, db, name)
	if err != nil {
		return err
	}
	t := &gluetypes.Table{Name: aws.String(name), DatabaseName: aws.String(db), TableType: aws.String("EXTERNAL_TABLE")}
	sd := &gluetypes.StorageDescriptor{Location: aws.String(loc)}
	t.StorageDescriptor = sd
	seen := map[string]bool{}
	for _, c := range st.columns {
		if seen[c.name] {
			return failf("DUPLICATE_COLUMN_NAME", "%s: Column name '%s' specified more than once", lc, c.name)
		}
		seen[c.name] = true
		gc := gluetypes.Column{Name: aws.String(c.name), Type: aws.String(c.typ)}
		if c.comment != "" {
			gc.Comment = aws.String(c.comment)
		}
		sd.Columns = append(sd.Columns, gc)
	}
	t.Parameters = copyMap(st.props)
	if iceberg {
		t.Parameters["table_type"] = "ICEBERG"
		for _, item := range st.partItems {
			if c := transformColumn(text(q.text, item)); !seen[c] {
				return failf("INVALID_TABLE_PROPERTY", "%s: Cannot find source column for partition field: %s", lc, c)
			}
		}
		if e := s.putTable(t); e != nil {
			return &sqlError{reason: e.Error()}
		}
		s.commitIceberg(q, t)
		return nil
	}
	for _, item := range st.partItems {
		p := &parser{src: q.text, toks: append(append([]token(nil), item...), token{kind: tEOF, pos: len(q.text)})}
		c, err := p.columnDef()
		if err != nil {
			return err
		}
		if seen[c.name] {
			return failf("DUPLICATE_COLUMN_NAME", "%s: Column repeated in partitioning columns: %s", lc, c.name)
		}
		t.PartitionKeys = append(t.PartitionKeys, gluetypes.Column{Name: aws.String(c.name), Type: aws.String(c.typ)})
	}
	format := st.format
	if format == "" {
		format = "textfile"
	}
	if f, ok := hiveFormats[format]; ok {
		sd.InputFormat, sd.OutputFormat = aws.String(f[0]), aws.String(f[1])
		sd.SerdeInfo = &gluetypes.SerDeInfo{SerializationLibrary: aws.String(f[2])}
	}
	if st.serde != "" {
		sd.SerdeInfo = &gluetypes.SerDeInfo{SerializationLibrary: aws.String(st.serde)}
	}
	t.Parameters["EXTERNAL"] = "TRUE"
	if e := s.putTable(t); e != nil {
		return &sqlError{reason: e.Error()}
	}
	return nil
}
