package athena

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/gmodel/gmodel/adapters"
)

// The Glue side: Athena's tables and views are Glue tables, read and
// swapped here.

const (
	glueView     = "VIRTUAL_VIEW"
	glueExternal = "EXTERNAL_TABLE"
)

func isView(t *gluetypes.Table) bool { return aws.ToString(t.TableType) == glueView }

func isIceberg(t *gluetypes.Table) bool {
	return strings.EqualFold(t.Parameters["table_type"], "ICEBERG")
}

func location(t *gluetypes.Table) string {
	if t.StorageDescriptor == nil {
		return ""
	}
	return aws.ToString(t.StorageDescriptor.Location)
}

// relationType is how gmodel sees a Glue table.
func relationType(t *gluetypes.Table) adapters.RelationType {
	if isView(t) {
		return adapters.View
	}
	return adapters.Table
}

// getTable returns the Glue table schema.name, or nil when there is none.
func (a *Adapter) getTable(ctx context.Context, schema, name string) (*gluetypes.Table, error) {
	out, err := a.glue.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String(strings.ToLower(schema)), Name: aws.String(strings.ToLower(name))})
	if err != nil {
		var nf *gluetypes.EntityNotFoundException
		if errors.As(err, &nf) {
			return nil, nil
		}
		return nil, a.apiError(ctx, err, fmt.Sprintf("reading table %s.%s from Glue", schema, name))
	}
	return out.Table, nil
}

// getTables lists a schema's tables; none when the schema does not exist.
func (a *Adapter) getTables(ctx context.Context, schema string) ([]gluetypes.Table, error) {
	var out []gluetypes.Table
	p := glue.NewGetTablesPaginator(a.glue, &glue.GetTablesInput{DatabaseName: aws.String(strings.ToLower(schema))})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			var nf *gluetypes.EntityNotFoundException
			if errors.As(err, &nf) {
				return nil, nil
			}
			return nil, a.apiError(ctx, err, "listing the tables of schema "+schema+" in Glue")
		}
		out = append(out, page.TableList...)
	}
	sort.Slice(out, func(i, j int) bool { return aws.ToString(out[i].Name) < aws.ToString(out[j].Name) })
	return out, nil
}

// tableInput copies t as the definition of a table called name: what a
// swap writes over the target.
func tableInput(t *gluetypes.Table, name string) *gluetypes.TableInput {
	return &gluetypes.TableInput{
		Name:              aws.String(name),
		Description:       t.Description,
		Owner:             t.Owner,
		Parameters:        t.Parameters,
		PartitionKeys:     t.PartitionKeys,
		Retention:         t.Retention,
		StorageDescriptor: t.StorageDescriptor,
		TableType:         t.TableType,
		ViewExpandedText:  t.ViewExpandedText,
		ViewOriginalText:  t.ViewOriginalText,
		TargetTable:       t.TargetTable,
		ViewDefinition:    viewDefinition(t.ViewDefinition),
	}
}

func viewDefinition(v *gluetypes.ViewDefinition) *gluetypes.ViewDefinitionInput {
	if v == nil {
		return nil
	}
	in := &gluetypes.ViewDefinitionInput{Definer: v.Definer, IsProtected: v.IsProtected, SubObjects: v.SubObjects}
	for _, r := range v.Representations {
		in.Representations = append(in.Representations, gluetypes.ViewRepresentationInput{
			Dialect: r.Dialect, DialectVersion: r.DialectVersion, ValidationConnection: r.ValidationConnection,
			ViewExpandedText: r.ViewExpandedText, ViewOriginalText: r.ViewOriginalText,
		})
	}
	return in
}

// partitions lists a table's partitions.
func (a *Adapter) partitions(ctx context.Context, schema, name string) ([]gluetypes.Partition, error) {
	var out []gluetypes.Partition
	p := glue.NewGetPartitionsPaginator(a.glue, &glue.GetPartitionsInput{DatabaseName: aws.String(schema), TableName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, a.apiError(ctx, err, fmt.Sprintf("listing the partitions of %s.%s", schema, name))
		}
		out = append(out, page.Partitions...)
	}
	return out, nil
}

// Glue's batch limits.
const (
	glueCreatePartitions = 100
	glueDeletePartitions = 25
)

func (a *Adapter) deletePartitions(ctx context.Context, schema, name string, parts []gluetypes.Partition) error {
	for i := 0; i < len(parts); i += glueDeletePartitions {
		var vals []gluetypes.PartitionValueList
		for _, p := range parts[i:min(i+glueDeletePartitions, len(parts))] {
			vals = append(vals, gluetypes.PartitionValueList{Values: p.Values})
		}
		out, err := a.glue.BatchDeletePartition(ctx, &glue.BatchDeletePartitionInput{DatabaseName: aws.String(schema), TableName: aws.String(name), PartitionsToDelete: vals})
		if err != nil {
			return a.apiError(ctx, err, fmt.Sprintf("deleting partitions of %s.%s", schema, name))
		}
		for _, e := range out.Errors {
			if e.ErrorDetail != nil && aws.ToString(e.ErrorDetail.ErrorCode) != "EntityNotFoundException" {
				return adapters.Errorf(adapters.Unknown, "athena: deleting partition %v of %s.%s: %s", e.PartitionValues, schema, name, aws.ToString(e.ErrorDetail.ErrorMessage))
			}
		}
	}
	return nil
}

func (a *Adapter) createPartitions(ctx context.Context, schema, name string, parts []gluetypes.Partition) error {
	for i := 0; i < len(parts); i += glueCreatePartitions {
		var in []gluetypes.PartitionInput
		for _, p := range parts[i:min(i+glueCreatePartitions, len(parts))] {
			in = append(in, gluetypes.PartitionInput{Values: p.Values, StorageDescriptor: p.StorageDescriptor, Parameters: p.Parameters})
		}
		out, err := a.glue.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: aws.String(schema), TableName: aws.String(name), PartitionInputList: in})
		if err != nil {
			return a.apiError(ctx, err, fmt.Sprintf("creating partitions of %s.%s", schema, name))
		}
		for _, e := range out.Errors {
			if e.ErrorDetail != nil {
				return adapters.Errorf(adapters.Unknown, "athena: creating partition %v of %s.%s: %s", e.PartitionValues, schema, name, aws.ToString(e.ErrorDetail.ErrorMessage))
			}
		}
	}
	return nil
}

// putTable makes schema.name what def says, in one Glue call: UpdateTable
// when it exists (readers see the old definition, then the new one, never
// none), CreateTable when it does not.
func (a *Adapter) putTable(ctx context.Context, schema string, exists bool, def *gluetypes.TableInput) error {
	var err error
	if exists {
		_, err = a.glue.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String(schema), TableInput: def})
	} else {
		_, err = a.glue.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String(schema), TableInput: def})
	}
	return a.apiError(ctx, err, fmt.Sprintf("writing table %s.%s to Glue", schema, aws.ToString(def.Name)))
}

// deleteGlueTable removes a table from Glue only: its data stays. For the
// tables gmodel builds aside and swaps, whose data the target now uses.
func (a *Adapter) deleteGlueTable(ctx context.Context, schema, name string) error {
	_, err := a.glue.DeleteTable(ctx, &glue.DeleteTableInput{DatabaseName: aws.String(schema), Name: aws.String(name)})
	var nf *gluetypes.EntityNotFoundException
	if errors.As(err, &nf) {
		return nil
	}
	return a.apiError(ctx, err, fmt.Sprintf("removing table %s.%s from Glue", schema, name))
}

// columnsOf is a Glue table's columns in order, partition keys last, as
// Athena shows them.
func columnsOf(t *gluetypes.Table) []adapters.Column {
	var out []adapters.Column
	if t.StorageDescriptor != nil {
		for _, c := range t.StorageDescriptor.Columns {
			out = append(out, adapters.Column{Name: aws.ToString(c.Name), DataType: aws.ToString(c.Type)})
		}
	}
	for _, c := range t.PartitionKeys {
		out = append(out, adapters.Column{Name: aws.ToString(c.Name), DataType: aws.ToString(c.Type)})
	}
	return out
}

// EnsureSchema creates the Glue database when it does not exist; a
// concurrent creation is not an error.
func (a *Adapter) EnsureSchema(ctx context.Context, database, schema string) error {
	if err := a.checkCatalog(database); err != nil {
		return err
	}
	if err := checkName("schema", schema); err != nil {
		return err
	}
	name := aws.String(strings.ToLower(schema))
	_, err := a.glue.GetDatabase(ctx, &glue.GetDatabaseInput{Name: name})
	if err == nil {
		return nil
	}
	var nf *gluetypes.EntityNotFoundException
	if !errors.As(err, &nf) {
		return a.apiError(ctx, err, "reading schema "+schema+" from Glue")
	}
	_, err = a.glue.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: name}})
	var exists *gluetypes.AlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return a.apiError(ctx, err, "creating schema "+schema+" in Glue")
	}
	return nil
}

// ListRelations lists a schema's tables and views, by name.
func (a *Adapter) ListRelations(ctx context.Context, database, schema string) ([]adapters.Relation, error) {
	if err := a.checkCatalog(database); err != nil {
		return nil, err
	}
	tables, err := a.getTables(ctx, schema)
	if err != nil {
		return nil, err
	}
	var out []adapters.Relation
	for i := range tables {
		out = append(out, adapters.Relation{Database: database, Schema: schema, Identifier: aws.ToString(tables[i].Name), Type: relationType(&tables[i])})
	}
	return out, nil
}

// Columns lists r's columns from Glue, partition keys last.
func (a *Adapter) Columns(ctx context.Context, r adapters.Relation) ([]adapters.Column, error) {
	if err := a.checkCatalog(r.Database); err != nil {
		return nil, err
	}
	t, err := a.getTable(ctx, r.Schema, r.Identifier)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, adapters.Errorf(adapters.NotFound, "relation %s does not exist", Dialect{}.Render(r))
	}
	return columnsOf(t), nil
}
