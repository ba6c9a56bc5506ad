package athena

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/profiles"
)

func init() {
	adapters.Register("athena", open)
}

func open(ctx context.Context, t *profiles.Target, opts adapters.Options) (adapters.Adapter, error) {
	cfg, err := profiles.DecodeAthena(t)
	if err != nil {
		return nil, err
	}
	return New(ctx, cfg, opts)
}

// Adapter is an open set of Athena, Glue and S3 clients for one target.
// It is safe for concurrent use.
type Adapter struct {
	cfg     profiles.Athena
	athena  *athena.Client
	glue    *glue.Client
	s3      *s3.Client
	log     io.Writer
	staging s3Dir
	dataDir s3Dir
	tmpDir  s3Dir
	// poll is the first wait between two GetQueryExecution calls;
	// pollCap the longest.
	poll, pollCap time.Duration

	logMu sync.Mutex // the workers log through one writer
}

var _ adapters.Adapter = (*Adapter)(nil)

// maxBackoff caps the SDK retryer's jittered backoff; tests lower it.
var maxBackoff = 20 * time.Second

// New opens the clients of cfg. It checks what can be checked without
// running a query: a region, credentials from the chain, and (unless
// skip_workgroup_check) the workgroup. Failures are an *adapters.Error of
// code Connect naming what is missing, never a secret.
func New(ctx context.Context, cfg *profiles.Athena, opts adapters.Options) (*Adapter, error) {
	awsCfg, err := LoadAWSConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a, err := newAdapter(cfg, awsCfg, opts)
	if err != nil {
		return nil, err
	}
	if err := a.checkCredentials(ctx); err != nil {
		return nil, err
	}
	if !cfg.SkipWorkgroupCheck {
		if err := a.CheckWorkGroup(ctx); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// LoadAWSConfig is the AWS configuration of a target: the SDK's default
// chain (environment, shared files, SSO, instance roles; AWS_ENDPOINT_URL
// too) with the target's region, profile and static keys over it, and
// the SDK's standard retryer (jittered exponential backoff on throttling
// and transient errors) making num_retries retries.
func LoadAWSConfig(ctx context.Context, cfg *profiles.Athena) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if cfg.RegionName != "" {
		opts = append(opts, config.WithRegion(cfg.RegionName))
	}
	if cfg.AWSProfileName != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.AWSProfileName))
	}
	if id := cfg.AWSAccessKeyID.Reveal(); id != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			id, cfg.AWSSecretAccessKey.Reveal(), cfg.AWSSessionToken.Reveal())))
	}
	if cfg.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(cfg.EndpointURL))
	}
	opts = append(opts, config.WithRetryer(func() aws.Retryer { return retryer(cfg.NumRetries) }))
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		// The SDK's message names the profile or file, never a key.
		return aws.Config{}, &adapters.Error{Code: adapters.Connect, Msg: "athena: cannot load the AWS configuration: " + err.Error(),
			Hint: "check aws_profile_name and the AWS shared config files (~/.aws/config, ~/.aws/credentials)", Err: err}
	}
	return awsCfg, nil
}

func retryer(retries int) aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = retries + 1
		o.MaxBackoff = maxBackoff
		// A build sends many calls; the client-side retry quota would turn
		// a burst of throttling into failures instead of waits.
		o.RateLimiter = ratelimit.None
	})
}

// newAdapter builds the clients of awsCfg.
func newAdapter(cfg *profiles.Athena, awsCfg aws.Config, opts adapters.Options) (*Adapter, error) {
	if awsCfg.Region == "" {
		return nil, &adapters.Error{Code: adapters.Connect, Msg: "athena: no AWS region",
			Hint: "set region_name in the target, or AWS_REGION in the environment"}
	}
	a := &Adapter{
		cfg:     *cfg,
		log:     io.Discard,
		staging: mustDir(cfg.S3StagingDir),
		dataDir: mustDir(cfg.S3DataDir),
		tmpDir:  mustDir(cfg.S3TmpTableDir),
	}
	if opts.Log != nil {
		a.log = opts.Log
	}
	a.poll = time.Duration(cfg.PollInterval * float64(time.Second))
	if a.poll <= 0 {
		a.poll = time.Second
	}
	a.pollCap = max(a.poll, 5*time.Second)
	a.athena = athena.NewFromConfig(awsCfg)
	a.glue = glue.NewFromConfig(awsCfg)
	a.s3 = s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		// A custom endpoint (VPC endpoint, test server) serves buckets by
		// path, not as host names.
		o.UsePathStyle = awsCfg.BaseEndpoint != nil
	})
	return a, nil
}

// Close releases nothing: the clients hold no connections of their own
// beyond the HTTP client's idle ones.
func (a *Adapter) Close() error { return nil }

// Dialect returns the athena dialect.
func (a *Adapter) Dialect() adapters.Dialect { return Dialect{} }

// catalog is the data catalog of r, the target's when r has none.
func (a *Adapter) catalog(database string) string {
	if database == "" {
		return a.cfg.Database
	}
	return strings.ToLower(database)
}

// checkGlueCatalog refuses a catalog other than the target's own when it
// is not backed by Glue: gmodel reads and changes tables through Glue.
func (a *Adapter) checkCatalog(database string) error {
	c := a.catalog(database)
	if c != strings.ToLower(a.cfg.Database) && c != profiles.DefaultCatalog {
		return adapters.Errorf(adapters.Invalid, "athena: database %q is not the target's data catalog %q; gmodel builds in the target's catalog only", database, a.cfg.Database)
	}
	return nil
}

// checkCredentials resolves the credentials once, so that a missing or
// broken chain is one clear error before anything runs.
func (a *Adapter) checkCredentials(ctx context.Context) error {
	_, err := a.athena.Options().Credentials.Retrieve(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return canceled(ctx, "", err)
		}
		return &adapters.Error{Code: adapters.Connect, Msg: "athena: no AWS credentials: " + credentialsReason(err),
			Hint: "set aws_profile_name (or AWS_PROFILE), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them", Err: err}
	}
	return nil
}

// credentialsReason shortens the SDK's chain error to its last line.
func credentialsReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && len(msg)-i < 200 {
		return msg[i+2:]
	}
	return msg
}

// CheckWorkGroup reads the target's workgroup and refuses one that is
// disabled. It is also how the adapter learns that AWS answers with the
// credentials it has.
func (a *Adapter) CheckWorkGroup(ctx context.Context) error {
	wg := a.workGroup()
	out, err := a.athena.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String(wg)})
	if err != nil {
		return a.apiError(ctx, err, fmt.Sprintf("reading workgroup %q", wg))
	}
	if out.WorkGroup != nil && out.WorkGroup.State == "DISABLED" {
		return &adapters.Error{Code: adapters.Connect, Msg: fmt.Sprintf("athena: workgroup %q is disabled", wg),
			Hint: "enable it in the Athena console, or set work_group to another one"}
	}
	return nil
}

func (a *Adapter) workGroup() string {
	if a.cfg.WorkGroup == "" {
		return "primary"
	}
	return a.cfg.WorkGroup
}

func (a *Adapter) logf(format string, args ...any) {
	a.logMu.Lock()
	defer a.logMu.Unlock()
	fmt.Fprintf(a.log, "athena: "+format+"\n", args...)
}
