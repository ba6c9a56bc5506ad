package awsfake

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
)

// STS speaks the query protocol: a form-encoded POST to / naming its
// Action. Only GetCallerIdentity is answered (gmodel debug checks the
// credentials with it), as the fake account's awsfake user.

func isQueryProtocol(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/" &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request) {
	call := Call{Service: "sts"}
	var form url.Values
	if err := r.ParseForm(); err == nil {
		form = r.PostForm
	}
	call.Op = form.Get("Action")
	w.Header().Set("Content-Type", "text/xml")
	if call.Op != "GetCallerIdentity" {
		call.Status = http.StatusBadRequest
		s.record(call)
		w.WriteHeader(call.Status)
		b, _ := xml.Marshal(struct {
			XMLName xml.Name `xml:"ErrorResponse"`
			Error   struct{ Type, Code, Message string }
			ReqID   string `xml:"RequestId"`
		}{Error: struct{ Type, Code, Message string }{"Sender", "InvalidAction", "awsfake: unsupported sts " + call.Op}, ReqID: "awsfake-request"})
		w.Write(b)
		return
	}
	if bad, throttle := s.injected("sts", call.Op); bad {
		e := scriptedError("sts", throttle)
		call.Status = e.status
		s.record(call)
		w.WriteHeader(e.status)
		b, _ := xml.Marshal(struct {
			XMLName xml.Name `xml:"ErrorResponse"`
			Error   struct{ Type, Code, Message string }
		}{Error: struct{ Type, Code, Message string }{"Sender", e.code, e.msg}})
		w.Write(b)
		return
	}
	call.Status = http.StatusOK
	s.record(call)
	b, _ := xml.Marshal(struct {
		XMLName xml.Name `xml:"GetCallerIdentityResponse"`
		NS      string   `xml:"xmlns,attr"`
		Result  struct {
			Arn, UserId, Account string
		} `xml:"GetCallerIdentityResult"`
		Meta struct {
			RequestID string `xml:"RequestId"`
		} `xml:"ResponseMetadata"`
	}{NS: "https://sts.amazonaws.com/doc/2011-06-15/",
		Result: struct{ Arn, UserId, Account string }{"arn:aws:iam::" + AccountID + ":user/awsfake", "AIDAAWSFAKEUSER", AccountID}})
	w.Write(b)
}
