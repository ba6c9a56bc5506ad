package docsite

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The parts of target/manifest.json, catalog.json and run_results.json the
// docs site reads. Everything else in them (macros, args of the run, ...)
// is never decoded, so it can never reach a response.

type manifestFile struct {
	Metadata struct {
		ProjectName  string `json:"project_name"`
		GeneratedAt  string `json:"generated_at"`
		AdapterType  string `json:"adapter_type"`
		InvocationID string `json:"invocation_id"`
		DbtVersion   string `json:"dbt_version"`
	} `json:"metadata"`
	Nodes     map[string]*mNode `json:"nodes"`
	Sources   map[string]*mNode `json:"sources"`
	Exposures map[string]*mNode `json:"exposures"`
	Docs      map[string]*mDoc  `json:"docs"`
}

// mNode is a node, source or exposure of the manifest.
type mNode struct {
	UniqueID         string         `json:"unique_id"`
	ResourceType     string         `json:"resource_type"`
	Name             string         `json:"name"`
	PackageName      string         `json:"package_name"`
	OriginalFilePath string         `json:"original_file_path"`
	Database         *string        `json:"database"`
	Schema           *string        `json:"schema"`
	Alias            *string        `json:"alias"`
	RelationName     *string        `json:"relation_name"`
	FQN              []string       `json:"fqn"`
	Tags             []string       `json:"tags"`
	Description      string         `json:"description"`
	Columns          orderedColumns `json:"columns"`
	Config           jsontext.Value `json:"config"`
	RawCode          string         `json:"raw_code"`
	CompiledCode     string         `json:"compiled_code"`
	Language         string         `json:"language"`
	DependsOn        struct {
		Nodes []string `json:"nodes"`
	} `json:"depends_on"`
	ColumnName   *string `json:"column_name"`
	AttachedNode *string `json:"attached_node"`
	TestMetadata *struct {
		Name      string  `json:"name"`
		Namespace *string `json:"namespace"`
	} `json:"test_metadata"`
	Version       any     `json:"version"`
	LatestVersion any     `json:"latest_version"`
	Access        *string `json:"access"`
	Group         *string `json:"group"`

	// Sources.
	SourceName        string         `json:"source_name"`
	SourceDescription string         `json:"source_description"`
	Loader            string         `json:"loader"`
	Identifier        string         `json:"identifier"`
	LoadedAtField     *string        `json:"loaded_at_field"`
	Freshness         jsontext.Value `json:"freshness"`

	// Exposures.
	Type     string         `json:"type"`
	Owner    jsontext.Value `json:"owner"`
	URL      *string        `json:"url"`
	Maturity *string        `json:"maturity"`
}

type mColumn struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	DataType    *string `json:"data_type"`
}

// orderedColumns keeps the columns in the order of the schema file: a JSON
// object decoded into a Go map would lose it.
type orderedColumns []mColumn

func (c *orderedColumns) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		*c = nil
		return err
	case '{':
	default:
		return fmt.Errorf("columns: expected an object")
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	var out orderedColumns
	for dec.PeekKind() != '}' {
		if _, err := dec.ReadToken(); err != nil { // the key
			return err
		}
		var col mColumn
		if err := json.UnmarshalDecode(dec, &col); err != nil {
			return err
		}
		out = append(out, col)
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	*c = out
	return nil
}

type mDoc struct {
	Name          string `json:"name"`
	PackageName   string `json:"package_name"`
	BlockContents string `json:"block_contents"`
}

type runResultsFile struct {
	Metadata struct {
		GeneratedAt  string `json:"generated_at"`
		InvocationID string `json:"invocation_id"`
	} `json:"metadata"`
	ElapsedTime float64      `json:"elapsed_time"`
	Results     []*runResult `json:"results"`
}

type runResult struct {
	UniqueID      string  `json:"unique_id"`
	Status        string  `json:"status"`
	ExecutionTime float64 `json:"execution_time"`
	Message       *string `json:"message"`
	Failures      *int64  `json:"failures"`
	Timing        []struct {
		Name        string `json:"name"`
		StartedAt   string `json:"started_at"`
		CompletedAt string `json:"completed_at"`
	} `json:"timing"`
}

// completedAt is when the node's last phase ended, or "".
func (r *runResult) completedAt() string {
	if n := len(r.Timing); n > 0 {
		return r.Timing[n-1].CompletedAt
	}
	return ""
}

// artifacts are the three files of a target directory, decoded.
type artifacts struct {
	manifest *manifestFile
	catalog  *Catalog        // nil when target/catalog.json is missing
	results  *runResultsFile // nil when target/run_results.json is missing
	stamp    stamp
}

// stamp identifies the versions of the artifacts on disk, to notice a
// rewrite.
type stamp [3]fileStamp

type fileStamp struct {
	mtime time.Time
	size  int64
}

// version is a short name of the stamp, for ETags.
func (s stamp) version() string {
	h := fnv.New64a()
	for _, f := range s {
		fmt.Fprintf(h, "%d/%d;", f.mtime.UnixNano(), f.size)
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

var artifactNames = [3]string{"manifest.json", "catalog.json", "run_results.json"}

func statArtifacts(dir string) stamp {
	var s stamp
	for i, name := range artifactNames {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil {
			s[i] = fileStamp{fi.ModTime(), fi.Size()}
		}
	}
	return s
}

// ErrNoManifest is returned when the target directory has no manifest.json.
var ErrNoManifest = errors.New("no manifest.json")

// readArtifacts reads the artifacts of dir. Only the manifest is required.
func readArtifacts(dir string) (*artifacts, error) {
	a := &artifacts{stamp: statArtifacts(dir)}
	mpath := filepath.Join(dir, "manifest.json")
	b, err := os.ReadFile(mpath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w; run `gmodel compile` or `gmodel docs generate` first", mpath, ErrNoManifest)
	}
	if err != nil {
		return nil, err
	}
	a.manifest = &manifestFile{}
	if err := decodeJSON(mpath, b, a.manifest); err != nil {
		return nil, err
	}
	if b, err := readOptional(filepath.Join(dir, "catalog.json")); err != nil {
		return nil, err
	} else if b != nil {
		a.catalog = &Catalog{}
		if err := decodeJSON(filepath.Join(dir, "catalog.json"), b, a.catalog); err != nil {
			return nil, err
		}
	}
	if b, err := readOptional(filepath.Join(dir, "run_results.json")); err != nil {
		return nil, err
	} else if b != nil {
		a.results = &runResultsFile{}
		if err := decodeJSON(filepath.Join(dir, "run_results.json"), b, a.results); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func readOptional(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// decodeJSON decodes an artifact; a syntax or type error names the file,
// line and column.
func decodeJSON(path string, b []byte, v any) error {
	err := json.Unmarshal(b, v, jsonOpts)
	if err == nil {
		return nil
	}
	var off int64 = -1
	var se *jsontext.SyntacticError
	var te *json.SemanticError
	switch {
	case errors.As(err, &se):
		off = se.ByteOffset
	case errors.As(err, &te):
		off = te.ByteOffset
	}
	if off < 0 {
		return fmt.Errorf("%s: %v", path, err)
	}
	line, col := lineCol(b, off)
	return fmt.Errorf("%s:%d:%d: %v\n  hint: the file is not a valid dbt artifact; regenerate it with `gmodel compile` or `gmodel docs generate`", path, line, col, err)
}

// jsonOpts decode artifacts as leniently as encoding/json would.
var jsonOpts = json.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

func lineCol(b []byte, off int64) (line, col int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line = 1 + bytes.Count(b[:off], []byte("\n"))
	col = int(off) - bytes.LastIndexByte(b[:off], '\n')
	return line, col
}
