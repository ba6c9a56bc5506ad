package awsfake_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
)

func tableInput(name, loc string, partKeys ...string) *gluetypes.TableInput {
	in := &gluetypes.TableInput{
		Name:      aws.String(name),
		TableType: aws.String("EXTERNAL_TABLE"),
		StorageDescriptor: &gluetypes.StorageDescriptor{
			Location: aws.String(loc),
			Columns:  []gluetypes.Column{{Name: aws.String("id"), Type: aws.String("bigint"), Comment: aws.String("the key")}},
		},
		Parameters: map[string]string{"EXTERNAL": "TRUE"},
	}
	for _, k := range partKeys {
		in.PartitionKeys = append(in.PartitionKeys, gluetypes.Column{Name: aws.String(k), Type: aws.String("string")})
	}
	return in
}

func TestGlueDatabases(t *testing.T) {
	c := newClients(t)
	ctx := context.Background()
	for i := range 5 {
		_, err := c.glue.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{
			Name: aws.String(fmt.Sprintf("DB%d", i)), Description: aws.String("d"),
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.glue.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String("db0")}})
	var exists *gluetypes.AlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("duplicate database: %v, want AlreadyExistsException", err)
	}
	got, err := c.glue.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("Db3")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Database.Name) != "db3" || aws.ToString(got.Database.Description) != "d" || got.Database.CreateTime == nil {
		t.Errorf("database = %+v, want db3 (lowercased, as Glue stores it)", got.Database)
	}

	var names []string
	p := glue.NewGetDatabasesPaginator(c.glue, &glue.GetDatabasesInput{MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range out.DatabaseList {
			names = append(names, aws.ToString(d.Name))
		}
	}
	// "default" exists from the start, as in every account's catalog.
	if want := "db0 db1 db2 db3 db4 default"; strings.Join(names, " ") != want || pages != 3 {
		t.Errorf("databases = %v in %d pages, want %s in 3", names, pages, want)
	}

	if _, err := c.glue.DeleteDatabase(ctx, &glue.DeleteDatabaseInput{Name: aws.String("db1")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.glue.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("db1")})
	var nf *gluetypes.EntityNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "Database db1 not found") {
		t.Errorf("deleted database: %v, want EntityNotFoundException", err)
	}
}

func TestGlueTables(t *testing.T) {
	c := newClients(t)
	ctx := context.Background()
	c.fake.CreateDatabase("sales")
	for _, n := range []string{"orders", "Order_Lines", "customers", "stg_orders"} {
		if _, err := c.glue.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("sales"), TableInput: tableInput(n, "s3://data/"+n+"/")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.glue.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("sales"), TableInput: tableInput("orders", "s3://x/")})
	var exists *gluetypes.AlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("duplicate table: %v, want AlreadyExistsException", err)
	}
	_, err = c.glue.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("nope"), TableInput: tableInput("t", "s3://x/")})
	var nf *gluetypes.EntityNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("table in a missing database: %v, want EntityNotFoundException", err)
	}

	got, err := c.glue.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("sales"), Name: aws.String("order_lines")})
	if err != nil {
		t.Fatal(err)
	}
	tb := got.Table
	if aws.ToString(tb.Name) != "order_lines" || aws.ToString(tb.DatabaseName) != "sales" ||
		aws.ToString(tb.StorageDescriptor.Location) != "s3://data/Order_Lines/" ||
		aws.ToString(tb.StorageDescriptor.Columns[0].Comment) != "the key" || tb.CreateTime == nil || aws.ToString(tb.VersionId) != "0" {
		t.Errorf("table = %+v", tb)
	}
	_, err = c.glue.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("sales"), Name: aws.String("nope")})
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "Table nope not found") {
		t.Errorf("missing table: %v, want EntityNotFoundException", err)
	}

	list := func(expr string, max int32) ([]string, int) {
		t.Helper()
		in := &glue.GetTablesInput{DatabaseName: aws.String("sales"), MaxResults: aws.Int32(max)}
		if expr != "" {
			in.Expression = aws.String(expr)
		}
		var names []string
		pages := 0
		for p := glue.NewGetTablesPaginator(c.glue, in); p.HasMorePages(); {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, tb := range out.TableList {
				names = append(names, aws.ToString(tb.Name))
			}
		}
		return names, pages
	}
	if names, pages := list("", 3); strings.Join(names, " ") != "customers order_lines orders stg_orders" || pages != 2 {
		t.Errorf("tables = %v in %d pages", names, pages)
	}
	if names, _ := list("order*", 100); strings.Join(names, " ") != "order_lines orders" {
		t.Errorf("tables matching order* = %v", names)
	}
	if names, _ := list("customers|stg_*", 100); strings.Join(names, " ") != "customers stg_orders" {
		t.Errorf("tables matching customers|stg_* = %v", names)
	}

	// UpdateTable replaces the definition, bumps the version and refuses
	// a stale VersionId.
	upd := tableInput("orders", "s3://data/orders-v2/")
	if _, err := c.glue.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String("sales"), TableInput: upd, VersionId: aws.String("0")}); err != nil {
		t.Fatal(err)
	}
	tbl := c.fake.Table("sales", "orders")
	if aws.ToString(tbl.StorageDescriptor.Location) != "s3://data/orders-v2/" || aws.ToString(tbl.VersionId) != "1" {
		t.Errorf("updated table: location %s version %s", aws.ToString(tbl.StorageDescriptor.Location), aws.ToString(tbl.VersionId))
	}
	_, err = c.glue.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String("sales"), TableInput: upd, VersionId: aws.String("0")})
	var conc *gluetypes.ConcurrentModificationException
	if !errors.As(err, &conc) {
		t.Errorf("stale VersionId: %v, want ConcurrentModificationException", err)
	}
	// The fake hands out copies: changing one does not change its state.
	tbl.StorageDescriptor.Location = aws.String("s3://elsewhere/")
	if aws.ToString(c.fake.Table("sales", "orders").StorageDescriptor.Location) != "s3://data/orders-v2/" {
		t.Error("Table returned the fake's own state")
	}

	if _, err := c.glue.DeleteTable(ctx, &glue.DeleteTableInput{DatabaseName: aws.String("sales"), Name: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.glue.BatchDeleteTable(ctx, &glue.BatchDeleteTableInput{DatabaseName: aws.String("sales"), TablesToDelete: []string{"customers", "orders"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].TableName) != "orders" || aws.ToString(out.Errors[0].ErrorDetail.ErrorCode) != "EntityNotFoundException" {
		t.Errorf("BatchDeleteTable errors = %+v", out.Errors)
	}
	if names, _ := list("", 100); strings.Join(names, " ") != "order_lines stg_orders" {
		t.Errorf("tables left = %v", names)
	}
	calls := c.fake.CallsOf("glue", "DeleteTable")
	if len(calls) != 1 || calls[0].Detail != "sales.orders" || calls[0].Status != 200 {
		t.Errorf("DeleteTable calls = %+v", calls)
	}
}

func TestGluePartitions(t *testing.T) {
	c := newClients(t)
	ctx := context.Background()
	c.fake.CreateDatabase("s")
	if _, err := c.glue.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("s"), TableInput: tableInput("events", "s3://data/events/", "year", "month")}); err != nil {
		t.Fatal(err)
	}
	var inputs []gluetypes.PartitionInput
	for y := 2023; y <= 2024; y++ {
		for m := 1; m <= 12; m++ {
			inputs = append(inputs, gluetypes.PartitionInput{
				Values:            []string{fmt.Sprint(y), fmt.Sprint(m)},
				StorageDescriptor: &gluetypes.StorageDescriptor{Location: aws.String(fmt.Sprintf("s3://data/events/year=%d/month=%d", y, m))},
			})
		}
	}
	inputs = append(inputs, inputs[0]) // a duplicate: reported, not fatal
	out, err := c.glue.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: aws.String("s"), TableName: aws.String("events"), PartitionInputList: inputs})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].ErrorDetail.ErrorCode) != "AlreadyExistsException" {
		t.Errorf("BatchCreatePartition errors = %+v", out.Errors)
	}

	values := func(expr string) []string {
		t.Helper()
		in := &glue.GetPartitionsInput{DatabaseName: aws.String("s"), TableName: aws.String("events"), MaxResults: aws.Int32(5)}
		if expr != "" {
			in.Expression = aws.String(expr)
		}
		var got []string
		for p := glue.NewGetPartitionsPaginator(c.glue, in); p.HasMorePages(); {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("GetPartitions(%q): %v", expr, err)
			}
			for _, part := range page.Partitions {
				got = append(got, strings.Join(part.Values, "-"))
			}
		}
		slices.Sort(got)
		return got
	}
	if n := len(values("")); n != 24 {
		t.Errorf("%d partitions, want 24", n)
	}
	for expr, want := range map[string]string{
		"year = '2024' and month in ('1', '2')":                      "2024-1 2024-2",
		"year=2023 AND month >= 11":                                  "2023-11 2023-12",
		"(year = '2023' or year = '2024') and month between 6 and 6": "2023-6 2024-6",
		"not year = 2023 and month = 12":                             "2024-12",
	} {
		if got := strings.Join(values(expr), " "); got != want {
			t.Errorf("GetPartitions(%q) = %s, want %s", expr, got, want)
		}
	}
	_, err = c.glue.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("s"), TableName: aws.String("events"), Expression: aws.String("nope = 1")})
	var inv *gluetypes.InvalidInputException
	if !errors.As(err, &inv) {
		t.Errorf("bad expression: %v, want InvalidInputException", err)
	}

	del, err := c.glue.BatchDeletePartition(ctx, &glue.BatchDeletePartitionInput{
		DatabaseName: aws.String("s"), TableName: aws.String("events"),
		PartitionsToDelete: []gluetypes.PartitionValueList{{Values: []string{"2023", "1"}}, {Values: []string{"1999", "1"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.Errors) != 1 || del.Errors[0].PartitionValues[0] != "1999" {
		t.Errorf("BatchDeletePartition errors = %+v", del.Errors)
	}
	if parts := c.fake.Partitions("s", "events"); len(parts) != 23 {
		t.Errorf("%d partitions after delete, want 23", len(parts))
	}
	_, err = c.glue.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: aws.String("s"), TableName: aws.String("events"), PartitionValues: []string{"2023", "1"}})
	var nf *gluetypes.EntityNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("deleted partition: %v, want EntityNotFoundException", err)
	}
	if _, err := c.glue.CreatePartition(ctx, &glue.CreatePartitionInput{DatabaseName: aws.String("s"), TableName: aws.String("events"), PartitionInput: &inputs[0]}); err != nil {
		t.Fatal(err)
	}
	_, err = c.glue.CreatePartition(ctx, &glue.CreatePartitionInput{DatabaseName: aws.String("s"), TableName: aws.String("events"), PartitionInput: &inputs[0]})
	var exists *gluetypes.AlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("CreatePartition of an existing partition: %v, want AlreadyExistsException", err)
	}
	_, err = c.glue.CreatePartition(ctx, &glue.CreatePartitionInput{DatabaseName: aws.String("s"), TableName: aws.String("events"),
		PartitionInput: &gluetypes.PartitionInput{Values: []string{"2023"}}})
	var inv2 *gluetypes.InvalidInputException
	if !errors.As(err, &inv2) {
		t.Errorf("CreatePartition with one value for two keys: %v, want InvalidInputException", err)
	}
	if _, err := c.glue.DeletePartition(ctx, &glue.DeletePartitionInput{DatabaseName: aws.String("s"), TableName: aws.String("events"), PartitionValues: inputs[0].Values}); err != nil {
		t.Fatal(err)
	}
	_, err = c.glue.DeletePartition(ctx, &glue.DeletePartitionInput{DatabaseName: aws.String("s"), TableName: aws.String("events"), PartitionValues: inputs[0].Values})
	if !errors.As(err, &nf) {
		t.Errorf("DeletePartition of a missing partition: %v, want EntityNotFoundException", err)
	}
	_, err = c.glue.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: aws.String("s"), TableName: aws.String("nope"), PartitionInputList: inputs[:1]})
	if !errors.As(err, &nf) {
		t.Errorf("partitions of a missing table: %v, want EntityNotFoundException", err)
	}
}
