// Package smfake is an in-process AWS Secrets Manager for tests: it
// answers GetSecretValue (the JSON 1.1 protocol the real SDK client
// speaks) from a map, so that the password_secret paths run the real
// aws-sdk-go-v2 client end to end without AWS.
package smfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Server is a fake Secrets Manager at URL, stopped when its test ends.
type Server struct {
	URL string

	mu      sync.Mutex
	secrets map[string]*string
	denied  map[string]bool
	calls   []string // the SecretId of every call
}

// New starts a Secrets Manager holding secrets: secret id to
// SecretString, a nil value being a binary secret. An unknown id is
// ResourceNotFoundException.
func New(t testing.TB, secrets map[string]*string) *Server {
	t.Helper()
	s := &Server{secrets: secrets, denied: map[string]bool{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Deny makes reading id an AccessDeniedException.
func (s *Server) Deny(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied[id] = true
}

// Calls is the number of GetSecretValue calls so far.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	fail := func(typ, msg string) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
	}
	// Only a request the real client signed (SigV4) is answered.
	if r.Method != http.MethodPost || r.URL.Path != "/" || r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" ||
		!strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		fail("InvalidRequestException", "unexpected request")
		return
	}
	var in struct{ SecretId string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail("InvalidRequestException", "bad body")
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, in.SecretId)
	v, ok := s.secrets[in.SecretId]
	denied := s.denied[in.SecretId]
	s.mu.Unlock()
	switch {
	case denied:
		fail("AccessDeniedException", "User: arn:aws:iam::123456789012:user/test is not authorized to perform: secretsmanager:GetSecretValue on resource: "+in.SecretId)
		return
	case !ok:
		fail("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	}
	out := map[string]any{"ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + in.SecretId, "Name": in.SecretId, "VersionId": "v1"}
	if v != nil {
		out["SecretString"] = *v
	} else {
		out["SecretBinary"] = []byte{0, 1, 2}
	}
	_ = json.NewEncoder(w).Encode(out)
}

// SetEnv leaves the AWS SDK's standard chain only env, as a user's shell
// would give it: the variables of env, no shared config or credentials
// file, no instance role, one attempt per call. The test must not be
// parallel (t.Setenv).
func SetEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	for k, v := range env {
		t.Setenv(k, v)
	}
}
