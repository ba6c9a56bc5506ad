package awsfake

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

var secretsOps = map[string]jsonHandler{
	"GetSecretValue": handle((*Server).getSecretValue),
}

// secret is a SecretString or a SecretBinary.
type secret struct {
	str *string
	bin []byte
}

// PutSecret stores a secret's SecretString for GetSecretValue.
func (s *Server) PutSecret(id, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets[id] = secret{str: &value}
}

// PutSecretBinary stores a binary secret (SecretBinary, no SecretString).
func (s *Server) PutSecretBinary(id string, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets[id] = secret{bin: append([]byte{}, value...)}
}

func (s *Server) getSecretValue(in *secretsmanager.GetSecretValueInput) (any, string, error) {
	id := deref(in.SecretId)
	v, ok := s.secrets[id]
	if !ok {
		return nil, id, errorf(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	}
	out := map[string]any{
		"ARN":           "arn:aws:secretsmanager:" + Region + ":" + AccountID + ":secret:" + id,
		"Name":          id,
		"VersionId":     "awsfake-v1",
		"VersionStages": []string{"AWSCURRENT"},
		"CreatedDate":   float64(s.now().Unix()),
	}
	if v.str != nil {
		out["SecretString"] = *v.str
	} else {
		out["SecretBinary"] = toWire(v.bin)
	}
	return out, id, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
