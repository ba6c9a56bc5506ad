package profiles

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/gmodel/gmodel/project"
)

// Athena is an athena output of profiles.yml, with dbt-athena's keys.
type Athena struct {
	Type string `yaml:"type"`
	// RegionName is the AWS region; empty takes it from the standard AWS
	// chain (AWS_REGION, the shared config's profile).
	RegionName string `yaml:"region_name"`
	// S3StagingDir is where Athena writes query results: s3://bucket/prefix/.
	S3StagingDir string `yaml:"s3_staging_dir"`
	// S3DataDir is under which the tables' data goes; s3_staging_dir when
	// empty, as in dbt-athena.
	S3DataDir string `yaml:"s3_data_dir"`
	// S3DataNaming says where under S3DataDir a table's data goes (see
	// the Naming constants); schema_table by default.
	S3DataNaming string `yaml:"s3_data_naming"`
	// S3TmpTableDir is where temporary tables go; S3DataDir when empty.
	S3TmpTableDir string `yaml:"s3_tmp_table_dir"`
	// Database is the data catalog; awsdatacatalog by default.
	Database string `yaml:"database"`
	Schema   string `yaml:"schema"`
	// WorkGroup is the Athena workgroup; empty is the account's primary.
	WorkGroup string `yaml:"work_group"`
	// AWSProfileName names a profile of the AWS shared config files.
	AWSProfileName string `yaml:"aws_profile_name"`
	// Static credentials, when not from the standard chain. Never printed.
	AWSAccessKeyID     Secret `yaml:"aws_access_key_id"`
	AWSSecretAccessKey Secret `yaml:"aws_secret_access_key"`
	AWSSessionToken    Secret `yaml:"aws_session_token"`
	// PollInterval is the first wait, in seconds, between two polls of a
	// running query (1 by default); later waits grow up to a cap.
	PollInterval float64 `yaml:"poll_interval"`
	// NumRetries is how often a throttled or transiently failed call is
	// retried (5 by default).
	NumRetries int `yaml:"num_retries"`
	Threads    int `yaml:"threads"`
	// EndpointURL replaces the AWS endpoints of Athena, Glue and S3 (S3
	// in path style): a VPC endpoint, or a test server.
	EndpointURL string `yaml:"endpoint_url"`
	// SkipWorkgroupCheck skips reading the workgroup's settings when the
	// adapter opens (dbt-athena's key), for roles without
	// athena:GetWorkGroup.
	SkipWorkgroupCheck bool `yaml:"skip_workgroup_check"`
}

// How dbt-athena names a table's location under s3_data_dir.
const (
	NamingSchemaTable       = "schema_table"        // <s3_data_dir>/<schema>/<table>/
	NamingSchemaTableUnique = "schema_table_unique" // <s3_data_dir>/<schema>/<table>/<uuid>/
	NamingTable             = "table"               // <s3_data_dir>/<table>/
	NamingTableUnique       = "table_unique"        // <s3_data_dir>/<table>/<uuid>/
	NamingUnique            = "unique"              // <s3_data_dir>/<uuid>/
	NamingUUID              = "uuid"                // the same as unique
)

var namings = []string{NamingSchemaTable, NamingSchemaTableUnique, NamingTable, NamingTableUnique, NamingUnique, NamingUUID}

// DefaultCatalog is Athena's own data catalog (AWS Glue).
const DefaultCatalog = "awsdatacatalog"

// DecodeAthena decodes an athena target strictly and applies dbt-athena's
// defaults: database awsdatacatalog, s3_data_dir = s3_staging_dir,
// s3_data_naming schema_table, poll_interval 1, num_retries 5. The S3
// directories must be s3://bucket/prefix URLs; they come back ending in
// "/". schema and s3_staging_dir are required.
func DecodeAthena(t *Target) (*Athena, error) {
	var errs project.ErrorList
	if t.Type != "athena" {
		errs.Add(t.Pos, "target '%s' is of type '%s', not athena", t.Name, t.Type)
		return nil, errs.Err()
	}
	a := &Athena{}
	if err := Decode(t, a); err != nil {
		var list project.ErrorList
		if !errors.As(err, &list) {
			return nil, err
		}
		errs = list
	}
	given := map[string]bool{}
	for _, kv := range project.YAMLPairs(t.Node) {
		k, v := kv[0].Value, kv[1]
		given[k] = true
		at := project.NodePos(t.File, v)
		switch k {
		case "s3_staging_dir", "s3_data_dir", "s3_tmp_table_dir":
			dst := map[string]*string{"s3_staging_dir": &a.S3StagingDir, "s3_data_dir": &a.S3DataDir, "s3_tmp_table_dir": &a.S3TmpTableDir}[k]
			if *dst == "" {
				continue
			}
			dir, err := S3Dir(*dst)
			if err != nil {
				errs.Append(&project.Error{Pos: at, Msg: fmt.Sprintf("'%s' %v", k, err), Hint: "write it as s3://bucket/prefix/"})
				continue
			}
			*dst = dir
		case "s3_data_naming":
			if a.S3DataNaming != "" && !isKnown(a.S3DataNaming, namings) {
				hint := didYouMean(a.S3DataNaming, namings)
				if hint == "" {
					hint = "use one of " + quoteList(namings)
				}
				errs.Append(&project.Error{Pos: at, Msg: "unknown 's3_data_naming'", Hint: hint})
			}
		case "poll_interval":
			if a.PollInterval <= 0 || a.PollInterval > 60 {
				errs.Add(at, "'poll_interval' must be more than 0 and at most 60 (seconds)")
			}
		case "num_retries":
			if a.NumRetries < 0 || a.NumRetries > 20 {
				errs.Add(at, "'num_retries' must be between 0 and 20")
			}
		case "endpoint_url":
			if a.EndpointURL == "" {
				continue // an env_var with an empty default: the AWS endpoints
			}
			if u, err := url.Parse(a.EndpointURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				errs.Append(&project.Error{Pos: at, Msg: "'endpoint_url' must be an http(s) URL", Hint: "e.g. https://vpce-0123.athena.eu-west-1.vpce.amazonaws.com"})
			}
		case "region_name":
			if a.RegionName != "" && !regionRe.MatchString(a.RegionName) {
				errs.Append(&project.Error{Pos: at, Msg: "'region_name' is not an AWS region name", Hint: "e.g. eu-west-1"})
			}
		}
	}
	if given["aws_access_key_id"] != given["aws_secret_access_key"] {
		errs.Add(t.Pos, "athena target '%s' needs both 'aws_access_key_id' and 'aws_secret_access_key', or neither (the standard AWS credential chain)", t.Name)
	}
	if given["aws_session_token"] && !given["aws_access_key_id"] {
		errs.Add(t.Pos, "athena target '%s' has 'aws_session_token' without 'aws_access_key_id'", t.Name)
	}
	if given["aws_profile_name"] && given["aws_access_key_id"] {
		errs.Add(t.Pos, "athena target '%s' has both 'aws_profile_name' and static keys; give only one", t.Name)
	}
	for _, req := range []struct{ key, val string }{{"s3_staging_dir", a.S3StagingDir}, {"schema", a.Schema}} {
		if req.val == "" && !given[req.key] {
			errs.Add(t.Pos, "athena target '%s' has no '%s'", t.Name, req.key)
		}
	}
	if a.Database == "" {
		a.Database = DefaultCatalog
	}
	if a.S3DataDir == "" {
		a.S3DataDir = a.S3StagingDir
	}
	if a.S3TmpTableDir == "" {
		a.S3TmpTableDir = a.S3DataDir
	}
	if a.S3DataNaming == "" {
		a.S3DataNaming = NamingSchemaTable
	}
	if a.S3DataNaming == NamingUUID {
		a.S3DataNaming = NamingUnique
	}
	if !given["poll_interval"] {
		a.PollInterval = 1
	}
	if !given["num_retries"] {
		a.NumRetries = 5
	}
	a.Threads = t.Threads
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return a, nil
}

var (
	regionRe = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	// bucketRe is S3's bucket naming rule (general purpose buckets).
	bucketRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
)

// S3Dir checks that s is an s3://bucket/prefix URL and returns it ending
// in "/". The error says what is wrong, never quoting s.
func S3Dir(s string) (string, error) {
	bucket, key, err := ParseS3(s)
	if err != nil {
		return "", err
	}
	if key != "" && !strings.HasSuffix(key, "/") {
		key += "/"
	}
	return "s3://" + bucket + "/" + key, nil
}

// ParseS3 splits an s3://bucket/key URL.
func ParseS3(s string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return "", "", errors.New("must start with s3://")
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if !bucketRe.MatchString(bucket) || strings.Contains(bucket, "..") {
		return "", "", errors.New("does not name a valid S3 bucket")
	}
	if strings.HasPrefix(key, "/") || strings.Contains(key, "//") {
		return "", "", errors.New("has an empty path segment (//)")
	}
	return bucket, key, nil
}
