package awsfake

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
)

// glueState is the Data Catalog. Names are stored lowercased, as Glue
// stores them. Callers hold Server.mu.
type glueState struct {
	dbs map[string]*glueDB
}

type glueDB struct {
	db     gluetypes.Database
	tables map[string]*gluetypes.Table
	parts  map[string]map[string]*gluetypes.Partition // table -> partKey(values) -> partition
}

// init starts the catalog with the "default" database every account has.
func (g *glueState) init() {
	g.dbs = map[string]*glueDB{}
	g.createDB(gluetypes.Database{Name: aws.String("default"), Description: aws.String("Default Hive database"),
		CreateTime: aws.Time(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
}

func partKey(values []string) string { return strings.Join(values, "\x00") }

var glueOps = map[string]jsonHandler{
	"CreateDatabase":       handle((*Server).glueCreateDatabase),
	"GetDatabase":          handle((*Server).glueGetDatabase),
	"GetDatabases":         handle((*Server).glueGetDatabases),
	"DeleteDatabase":       handle((*Server).glueDeleteDatabase),
	"CreateTable":          handle((*Server).glueCreateTable),
	"GetTable":             handle((*Server).glueGetTable),
	"GetTables":            handle((*Server).glueGetTables),
	"UpdateTable":          handle((*Server).glueUpdateTable),
	"DeleteTable":          handle((*Server).glueDeleteTable),
	"BatchDeleteTable":     handle((*Server).glueBatchDeleteTable),
	"GetPartition":         handle((*Server).glueGetPartition),
	"GetPartitions":        handle((*Server).glueGetPartitions),
	"CreatePartition":      handle((*Server).glueCreatePartition),
	"BatchCreatePartition": handle((*Server).glueBatchCreatePartition),
	"DeletePartition":      handle((*Server).glueDeletePartition),
	"BatchDeletePartition": handle((*Server).glueBatchDeletePartition),
}

func dbNotFound(name string) *apiError {
	return errorf(http.StatusBadRequest, "EntityNotFoundException", "Database %s not found.", name)
}

func tableNotFound(name string) *apiError {
	return errorf(http.StatusBadRequest, "EntityNotFoundException", "Table %s not found.", name)
}

func invalidInput(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, "InvalidInputException", format, args...)
}

// Table returns a copy of a Glue table, or nil if there is none.
func (s *Server) Table(db, name string) *gluetypes.Table {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.glue.table(db, name)
	if err != nil {
		return nil
	}
	return clone(t)
}

// Partitions returns copies of a table's Glue partitions, sorted by their
// values.
func (s *Server) Partitions(db, table string) []gluetypes.Partition {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.glue.partitions(db, table)
}

// CreateDatabase adds a Glue database (for test set-up).
func (s *Server) CreateDatabase(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.glue.createDB(gluetypes.Database{Name: aws.String(name), CreateTime: aws.Time(s.now())})
}

func (g *glueState) db(name string) (*glueDB, *apiError) {
	d, ok := g.dbs[strings.ToLower(name)]
	if !ok {
		return nil, dbNotFound(name)
	}
	return d, nil
}

func (g *glueState) table(db, name string) (*gluetypes.Table, *apiError) {
	d, err := g.db(db)
	if err != nil {
		return nil, err
	}
	t, ok := d.tables[strings.ToLower(name)]
	if !ok {
		return nil, tableNotFound(name)
	}
	return t, nil
}

func (g *glueState) createDB(db gluetypes.Database) *apiError {
	name := strings.ToLower(deref(db.Name))
	if name == "" {
		return invalidInput("1 validation error detected: Value at 'databaseInput.name' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if _, ok := g.dbs[name]; ok {
		return errorf(http.StatusBadRequest, "AlreadyExistsException", "Database already exists.")
	}
	db.Name = aws.String(name)
	db.CatalogId = aws.String(AccountID)
	g.dbs[name] = &glueDB{db: db, tables: map[string]*gluetypes.Table{}, parts: map[string]map[string]*gluetypes.Partition{}}
	return nil
}

// putTable stores t (its Name and DatabaseName set) as a new table.
func (s *Server) putTable(t *gluetypes.Table) *apiError {
	d, err := s.glue.db(deref(t.DatabaseName))
	if err != nil {
		return err
	}
	name := strings.ToLower(deref(t.Name))
	if name == "" {
		return invalidInput("1 validation error detected: Value at 'tableInput.name' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if _, ok := d.tables[name]; ok {
		return errorf(http.StatusBadRequest, "AlreadyExistsException", "Table already exists.")
	}
	now := s.now()
	t.Name = aws.String(name)
	t.DatabaseName = d.db.Name
	t.CatalogId = aws.String(AccountID)
	t.CreateTime, t.UpdateTime = aws.Time(now), aws.Time(now)
	t.VersionId = aws.String("0")
	t.IsRegisteredWithLakeFormation = false
	d.tables[name] = t
	return nil
}

func (g *glueState) dropTable(db, name string) {
	if d, err := g.db(db); err == nil {
		delete(d.tables, strings.ToLower(name))
		delete(d.parts, strings.ToLower(name))
	}
}

func (g *glueState) partitions(db, table string) []gluetypes.Partition {
	d, err := g.db(db)
	if err != nil {
		return nil
	}
	var out []gluetypes.Partition
	for _, p := range d.parts[strings.ToLower(table)] {
		out = append(out, *clone(p))
	}
	sort.Slice(out, func(i, j int) bool { return partKey(out[i].Values) < partKey(out[j].Values) })
	return out
}

// tableFromInput builds a Table from a TableInput: the two share their
// members but for the ones the service sets.
func tableFromInput(db string, in *gluetypes.TableInput) *gluetypes.Table {
	t := new(gluetypes.Table)
	if in != nil {
		if err := fromWire(toWire(in), t); err != nil {
			panic("awsfake: TableInput: " + err.Error())
		}
	}
	t.DatabaseName = aws.String(db)
	return t
}

func (s *Server) glueCreateDatabase(in *glue.CreateDatabaseInput) (any, string, error) {
	if in.DatabaseInput == nil {
		return nil, "", invalidInput("DatabaseInput is required")
	}
	name := deref(in.DatabaseInput.Name)
	db := gluetypes.Database{
		Name:        in.DatabaseInput.Name,
		Description: in.DatabaseInput.Description,
		LocationUri: in.DatabaseInput.LocationUri,
		Parameters:  in.DatabaseInput.Parameters,
	}
	db.CreateTime = aws.Time(s.now())
	if err := s.glue.createDB(db); err != nil {
		return nil, name, err
	}
	return nil, name, nil
}

func (s *Server) glueGetDatabase(in *glue.GetDatabaseInput) (any, string, error) {
	name := deref(in.Name)
	d, err := s.glue.db(name)
	if err != nil {
		return nil, name, err
	}
	return map[string]any{"Database": toWire(&d.db)}, name, nil
}

func (s *Server) glueGetDatabases(in *glue.GetDatabasesInput) (any, string, error) {
	names := slices.Sorted(maps.Keys(s.glue.dbs))
	page, next, err := paginate(names, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, "", err
	}
	var list []any
	for _, n := range page {
		list = append(list, toWire(&s.glue.dbs[n].db))
	}
	out := map[string]any{"DatabaseList": orEmpty(list)}
	if next != "" {
		out["NextToken"] = next
	}
	return out, "", nil
}

func (s *Server) glueDeleteDatabase(in *glue.DeleteDatabaseInput) (any, string, error) {
	name := deref(in.Name)
	if _, err := s.glue.db(name); err != nil {
		return nil, name, err
	}
	// Glue deletes the database's tables and partitions with it.
	delete(s.glue.dbs, strings.ToLower(name))
	return nil, name, nil
}

func (s *Server) glueCreateTable(in *glue.CreateTableInput) (any, string, error) {
	db := deref(in.DatabaseName)
	if in.TableInput == nil {
		return nil, db, invalidInput("TableInput is required")
	}
	detail := db + "." + strings.ToLower(deref(in.TableInput.Name))
	if err := s.putTable(tableFromInput(db, in.TableInput)); err != nil {
		return nil, detail, err
	}
	return nil, detail, nil
}

func (s *Server) glueGetTable(in *glue.GetTableInput) (any, string, error) {
	db, name := deref(in.DatabaseName), deref(in.Name)
	detail := db + "." + name
	t, err := s.glue.table(db, name)
	if err != nil {
		return nil, detail, err
	}
	return map[string]any{"Table": toWire(t)}, detail, nil
}

func (s *Server) glueGetTables(in *glue.GetTablesInput) (any, string, error) {
	db := deref(in.DatabaseName)
	d, err := s.glue.db(db)
	if err != nil {
		return nil, db, err
	}
	match := func(string) bool { return true }
	if e := deref(in.Expression); e != "" {
		re, err := tablePattern(e)
		if err != nil {
			return nil, db, invalidInput("Expression %q is not a valid pattern: %v", e, err)
		}
		match = re.MatchString
	}
	var names []string
	for _, n := range slices.Sorted(maps.Keys(d.tables)) {
		if match(n) {
			names = append(names, n)
		}
	}
	page, next, perr := paginate(names, in.NextToken, in.MaxResults, 100)
	if perr != nil {
		return nil, db, perr
	}
	var list []any
	for _, n := range page {
		list = append(list, toWire(d.tables[n]))
	}
	out := map[string]any{"TableList": orEmpty(list)}
	if next != "" {
		out["NextToken"] = next
	}
	return out, db, nil
}

// tablePattern compiles GetTables' Expression as Glue reads it: Hive's
// pattern syntax, where * is any run of characters and | separates
// alternatives, the rest a regular expression; matched whole and without
// regard to case.
func tablePattern(e string) (*regexp.Regexp, error) {
	var alts []string
	for _, a := range strings.Split(e, "|") {
		alts = append(alts, strings.ReplaceAll(strings.TrimSpace(a), "*", ".*"))
	}
	return regexp.Compile("(?i)^(?:" + strings.Join(alts, "|") + ")$")
}

func (s *Server) glueUpdateTable(in *glue.UpdateTableInput) (any, string, error) {
	db := deref(in.DatabaseName)
	if in.TableInput == nil {
		return nil, db, invalidInput("TableInput is required")
	}
	name := strings.ToLower(deref(in.TableInput.Name))
	detail := db + "." + name
	old, err := s.glue.table(db, name)
	if err != nil {
		return nil, detail, err
	}
	if in.VersionId != nil && deref(in.VersionId) != deref(old.VersionId) {
		return nil, detail, errorf(http.StatusBadRequest, "ConcurrentModificationException",
			"Update table failed due to concurrent modifications.")
	}
	s.replaceTable(old, tableFromInput(db, in.TableInput))
	return nil, detail, nil
}

// replaceTable swaps a table's definition in place, keeping what the
// service owns and bumping its version.
func (s *Server) replaceTable(old, t *gluetypes.Table) {
	v, _ := strconv.Atoi(deref(old.VersionId))
	t.Name, t.DatabaseName, t.CatalogId = old.Name, old.DatabaseName, old.CatalogId
	t.CreateTime, t.UpdateTime = old.CreateTime, aws.Time(s.now())
	t.VersionId = aws.String(strconv.Itoa(v + 1))
	*old = *t
}

func (s *Server) glueDeleteTable(in *glue.DeleteTableInput) (any, string, error) {
	db, name := deref(in.DatabaseName), deref(in.Name)
	detail := db + "." + name
	if _, err := s.glue.table(db, name); err != nil {
		return nil, detail, err
	}
	s.glue.dropTable(db, name)
	return nil, detail, nil
}

func (s *Server) glueBatchDeleteTable(in *glue.BatchDeleteTableInput) (any, string, error) {
	db := deref(in.DatabaseName)
	detail := db + "." + strings.Join(in.TablesToDelete, ",")
	if _, err := s.glue.db(db); err != nil {
		return nil, detail, err
	}
	var errs []any
	for _, name := range in.TablesToDelete {
		if _, err := s.glue.table(db, name); err != nil {
			errs = append(errs, toWire(&gluetypes.TableError{
				TableName:   aws.String(name),
				ErrorDetail: &gluetypes.ErrorDetail{ErrorCode: aws.String(err.code), ErrorMessage: aws.String(err.msg)},
			}))
			continue
		}
		s.glue.dropTable(db, name)
	}
	return map[string]any{"Errors": orEmpty(errs)}, detail, nil
}

// partitionsOf returns the partition map of an existing table.
func (g *glueState) partitionsOf(db, table string) (map[string]*gluetypes.Partition, *apiError) {
	d, err := g.db(db)
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(table)
	if _, ok := d.tables[name]; !ok {
		return nil, tableNotFound(table)
	}
	if d.parts[name] == nil {
		d.parts[name] = map[string]*gluetypes.Partition{}
	}
	return d.parts[name], nil
}

func (s *Server) newPartition(db, table string, in *gluetypes.PartitionInput) *gluetypes.Partition {
	p := new(gluetypes.Partition)
	if err := fromWire(toWire(in), p); err != nil {
		panic("awsfake: PartitionInput: " + err.Error())
	}
	p.DatabaseName, p.TableName = aws.String(strings.ToLower(db)), aws.String(strings.ToLower(table))
	p.CatalogId = aws.String(AccountID)
	p.CreationTime = aws.Time(s.now())
	return p
}

func (s *Server) glueGetPartition(in *glue.GetPartitionInput) (any, string, error) {
	db, table := deref(in.DatabaseName), deref(in.TableName)
	detail := db + "." + table
	parts, err := s.glue.partitionsOf(db, table)
	if err != nil {
		return nil, detail, err
	}
	p, ok := parts[partKey(in.PartitionValues)]
	if !ok {
		return nil, detail, errorf(http.StatusBadRequest, "EntityNotFoundException", "Cannot find partition.")
	}
	return map[string]any{"Partition": toWire(p)}, detail, nil
}

func (s *Server) glueGetPartitions(in *glue.GetPartitionsInput) (any, string, error) {
	db, table := deref(in.DatabaseName), deref(in.TableName)
	detail := db + "." + table
	parts, err := s.glue.partitionsOf(db, table)
	if err != nil {
		return nil, detail, err
	}
	t, _ := s.glue.table(db, table)
	var filter func([]string) bool
	if e := deref(in.Expression); e != "" {
		var ferr error
		if filter, ferr = partitionFilter(e, t.PartitionKeys); ferr != nil {
			return nil, detail, invalidInput("%v", ferr)
		}
	}
	keys := slices.Sorted(maps.Keys(parts))
	var matched []string
	for _, k := range keys {
		if filter == nil || filter(parts[k].Values) {
			matched = append(matched, k)
		}
	}
	page, next, perr := paginate(matched, in.NextToken, in.MaxResults, 1000)
	if perr != nil {
		return nil, detail, perr
	}
	var list []any
	for _, k := range page {
		list = append(list, toWire(parts[k]))
	}
	out := map[string]any{"Partitions": orEmpty(list)}
	if next != "" {
		out["NextToken"] = next
	}
	return out, detail, nil
}

func (s *Server) glueCreatePartition(in *glue.CreatePartitionInput) (any, string, error) {
	db, table := deref(in.DatabaseName), deref(in.TableName)
	detail := db + "." + table
	if in.PartitionInput == nil {
		return nil, detail, invalidInput("PartitionInput is required")
	}
	if err := s.addPartition(db, table, in.PartitionInput); err != nil {
		return nil, detail, err
	}
	return nil, detail, nil
}

func (s *Server) addPartition(db, table string, in *gluetypes.PartitionInput) *apiError {
	parts, err := s.glue.partitionsOf(db, table)
	if err != nil {
		return err
	}
	t, _ := s.glue.table(db, table)
	if len(in.Values) != len(t.PartitionKeys) {
		return invalidInput("The number of partition values (%d) does not match the number of partition keys (%d).", len(in.Values), len(t.PartitionKeys))
	}
	k := partKey(in.Values)
	if _, ok := parts[k]; ok {
		return errorf(http.StatusBadRequest, "AlreadyExistsException", "Partition already exists.")
	}
	parts[k] = s.newPartition(db, table, in)
	return nil
}

func (s *Server) glueBatchCreatePartition(in *glue.BatchCreatePartitionInput) (any, string, error) {
	db, table := deref(in.DatabaseName), deref(in.TableName)
	detail := db + "." + table
	if len(in.PartitionInputList) > 100 {
		return nil, detail, invalidInput("1 validation error detected: Value at 'partitionInputList' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	if _, err := s.glue.partitionsOf(db, table); err != nil {
		return nil, detail, err
	}
	var errs []any
	for i := range in.PartitionInputList {
		p := &in.PartitionInputList[i]
		if err := s.addPartition(db, table, p); err != nil {
			errs = append(errs, partitionError(p.Values, err))
		}
	}
	return map[string]any{"Errors": orEmpty(errs)}, detail, nil
}

func partitionError(values []string, err *apiError) any {
	return toWire(&gluetypes.PartitionError{
		PartitionValues: values,
		ErrorDetail:     &gluetypes.ErrorDetail{ErrorCode: aws.String(err.code), ErrorMessage: aws.String(err.msg)},
	})
}

func (s *Server) glueDeletePartition(in *glue.DeletePartitionInput) (any, string, error) {
	db, table := deref(in.DatabaseName), deref(in.TableName)
	detail := db + "." + table
	parts, err := s.glue.partitionsOf(db, table)
	if err != nil {
		return nil, detail, err
	}
	k := partKey(in.PartitionValues)
	if _, ok := parts[k]; !ok {
		return nil, detail, errorf(http.StatusBadRequest, "EntityNotFoundException", "Cannot find partition.")
	}
	delete(parts, k)
	return nil, detail, nil
}

func (s *Server) glueBatchDeletePartition(in *glue.BatchDeletePartitionInput) (any, string, error) {
	db, table := deref(in.DatabaseName), deref(in.TableName)
	detail := db + "." + table
	if len(in.PartitionsToDelete) > 25 {
		return nil, detail, invalidInput("1 validation error detected: Value at 'partitionsToDelete' failed to satisfy constraint: Member must have length less than or equal to 25")
	}
	parts, err := s.glue.partitionsOf(db, table)
	if err != nil {
		return nil, detail, err
	}
	var errs []any
	for _, pv := range in.PartitionsToDelete {
		k := partKey(pv.Values)
		if _, ok := parts[k]; !ok {
			errs = append(errs, partitionError(pv.Values, errorf(http.StatusBadRequest, "EntityNotFoundException", "Cannot find partition.")))
			continue
		}
		delete(parts, k)
	}
	return map[string]any{"Errors": orEmpty(errs)}, detail, nil
}

// paginate pages sorted names with an opaque NextToken (the last name
// returned) and MaxResults capped at limit.
func paginate(names []string, token *string, maxResults *int32, limit int) (page []string, next string, err *apiError) {
	n := limit
	if maxResults != nil {
		if *maxResults < 1 || int(*maxResults) > limit {
			return nil, "", invalidInput("MaxResults must be between 1 and %d", limit)
		}
		n = int(*maxResults)
	}
	start := 0
	if t := deref(token); t != "" {
		start = sort.SearchStrings(names, t)
		for start < len(names) && names[start] <= t {
			start++
		}
	}
	end := min(start+n, len(names))
	page = names[start:end]
	if end < len(names) {
		next = page[len(page)-1]
	}
	return page, next, nil
}

// orEmpty keeps a list member present (as []) when it has no elements,
// as the services answer.
func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}
