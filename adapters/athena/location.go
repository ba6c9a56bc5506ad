package athena

import (
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/profiles"
)

// s3Dir is an S3 prefix: a bucket and a key that is empty or ends in "/".
type s3Dir struct{ bucket, key string }

func parseDir(s string) (s3Dir, error) {
	bucket, key, err := profiles.ParseS3(s)
	if err != nil {
		return s3Dir{}, fmt.Errorf("location %s %v", s, err)
	}
	if key != "" && !strings.HasSuffix(key, "/") {
		key += "/"
	}
	return s3Dir{bucket, key}, nil
}

func mustDir(s string) s3Dir {
	d, err := parseDir(s)
	if err != nil {
		panic(err) // only for directories the profile decoder checked
	}
	return d
}

func (d s3Dir) String() string { return "s3://" + d.bucket + "/" + d.key }

// join appends path segments, each ending in "/".
func (d s3Dir) join(parts ...string) s3Dir {
	for _, p := range parts {
		d.key += strings.Trim(p, "/") + "/"
	}
	return d
}

// contains reports whether e is d or under d.
func (d s3Dir) contains(e s3Dir) bool {
	return d.bucket == e.bucket && strings.HasPrefix(e.key, d.key)
}

// guarded is a location gmodel must never delete from nor write into
// wholesale, with what it is for messages.
type guarded struct {
	dir  s3Dir
	what string // "s3_data_dir", "the location of table silver.orders"
	// table is set for another table's location: overlapping it either
	// way is refused. The profile's directories are refused only when the
	// location contains them (tables live under s3_data_dir).
	table bool
}

// checkLocation is the one rule before gmodel creates a table at dir or
// deletes anything under it: dir must not be (or contain) s3_data_dir,
// s3_staging_dir, s3_tmp_table_dir, and must not overlap another table's
// location. what says what dir is, for the message, which names both
// locations. Callers check every location of a build before any change,
// so a refusal leaves everything as it was.
func checkLocation(dir s3Dir, what, action string, guards []guarded) error {
	if dir.key == "" {
		return &adapters.Error{Code: adapters.Invalid,
			Msg:  fmt.Sprintf("athena: refusing to %s %s (%s): it is a whole bucket", action, dir, what),
			Hint: "give the table a location with a prefix of its own, e.g. s3://bucket/warehouse/schema/table/"}
	}
	for _, g := range guards {
		bad := false
		rel := ""
		switch {
		case dir == g.dir:
			bad, rel = true, "it is"
		case dir.contains(g.dir):
			bad, rel = true, "it contains"
		case g.table && g.dir.contains(dir):
			bad, rel = true, "it is inside"
		}
		if bad {
			return &adapters.Error{Code: adapters.Invalid,
				Msg:  fmt.Sprintf("athena: refusing to %s %s (%s): %s %s, %s", action, dir, what, rel, g.what, g.dir),
				Hint: "nothing was changed; give the table a location of its own (external_location, or s3_data_dir and s3_data_naming) that no other table or directory of the profile shares"}
		}
	}
	return nil
}

// naming computes where a table's data goes.
type naming struct {
	dataDir s3Dir
	scheme  string // profiles.Naming*
}

// base is the table's own prefix under which each build writes a fresh
// unique directory: external_location when set, else dbt-athena's
// s3_data_naming without its uuid (the build adds one every time).
func (n naming) base(schema, table, externalLocation string) (s3Dir, error) {
	if externalLocation != "" {
		return parseDir(externalLocation)
	}
	schema, table = strings.ToLower(schema), strings.ToLower(table)
	switch n.scheme {
	case profiles.NamingTable, profiles.NamingTableUnique:
		return n.dataDir.join(table), nil
	case profiles.NamingUnique, profiles.NamingUUID:
		return n.dataDir, nil
	}
	return n.dataDir.join(schema, table), nil
}

// newUUID is replaced in tests for stable goldens.
var newUUID = func() string { return uuid.NewString() }

// fresh is a new unique directory under base.
func fresh(base s3Dir) s3Dir { return base.join(newUUID()) }
