package athena

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gmodel/gmodel/adapters"
)

// tableConfig is a model's or seed's dbt-athena table configs.
type tableConfig struct {
	TableType        string // "hive" or "iceberg"
	Format           string // parquet, orc, avro, json, textfile
	WriteCompression string
	PartitionedBy    []string
	BucketedBy       []string
	BucketCount      int
	ExternalLocation string
	FieldDelimiter   string
	// TableProperties are sorted by key.
	TableProperties [][2]string
	// Naming overrides the profile's s3_data_naming.
	Naming string
}

const (
	hive    = "hive"
	iceberg = "iceberg"
)

var formats = []string{"parquet", "orc", "avro", "json", "textfile", "ion"}

// parseTableConfig reads the configs a table build needs, refusing values
// Athena would reject later with a less clear message.
func parseTableConfig(cfg map[string]any) (tableConfig, error) {
	c := tableConfig{TableType: hive, Format: "parquet"}
	var errs []string
	str := func(key string) string {
		v, ok := cfg[key]
		if !ok || v == nil {
			return ""
		}
		switch x := v.(type) {
		case string:
			return x
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		case int, int64, bool:
			return fmt.Sprint(x)
		}
		errs = append(errs, fmt.Sprintf("%s must be a string", key))
		return ""
	}
	list := func(key string) []string {
		switch x := cfg[key].(type) {
		case nil:
			return nil
		case string:
			if x == "" {
				return nil
			}
			return []string{x}
		case []any:
			out := make([]string, 0, len(x))
			for _, it := range x {
				s, ok := it.(string)
				if !ok {
					errs = append(errs, fmt.Sprintf("%s must be a list of column names", key))
					return nil
				}
				out = append(out, s)
			}
			return out
		case []string:
			return x
		}
		errs = append(errs, fmt.Sprintf("%s must be a list of column names", key))
		return nil
	}
	if t := strings.ToLower(str("table_type")); t != "" {
		c.TableType = t
	}
	if c.TableType != hive && c.TableType != iceberg {
		errs = append(errs, fmt.Sprintf("table_type %q is not hive or iceberg", c.TableType))
	}
	if f := strings.ToLower(str("format")); f != "" {
		c.Format = f
	}
	if !slices.Contains(formats, c.Format) {
		errs = append(errs, fmt.Sprintf("format %q is not one of %s", c.Format, strings.Join(formats, ", ")))
	}
	if c.TableType == iceberg && c.Format != "parquet" && c.Format != "orc" && c.Format != "avro" {
		errs = append(errs, fmt.Sprintf("an iceberg table's format must be parquet, orc or avro, not %q", c.Format))
	}
	c.WriteCompression = strings.ToLower(str("write_compression"))
	c.PartitionedBy = list("partitioned_by")
	c.BucketedBy = list("bucketed_by")
	if s := str("bucket_count"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			errs = append(errs, "bucket_count must be a positive integer")
		}
		c.BucketCount = n
	}
	if (len(c.BucketedBy) > 0) != (c.BucketCount > 0) {
		errs = append(errs, "bucketed_by and bucket_count go together")
	}
	c.ExternalLocation = str("external_location")
	if c.ExternalLocation != "" {
		if _, err := parseDir(c.ExternalLocation); err != nil {
			errs = append(errs, "external_location: "+err.Error())
		}
	}
	c.FieldDelimiter = str("field_delimiter")
	c.Naming = str("s3_data_naming")
	switch props := cfg["table_properties"].(type) {
	case nil:
	case map[string]any:
		for k, v := range props {
			c.TableProperties = append(c.TableProperties, [2]string{k, fmt.Sprint(v)})
		}
		sort.Slice(c.TableProperties, func(i, j int) bool { return c.TableProperties[i][0] < c.TableProperties[j][0] })
	default:
		errs = append(errs, "table_properties must be a mapping")
	}
	if len(errs) > 0 {
		return c, &adapters.Error{Code: adapters.Invalid, Msg: "athena: " + strings.Join(errs, "; "),
			Hint: "see the table configs in adapters/athena/README.md"}
	}
	return c, nil
}
