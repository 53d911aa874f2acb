package manifest

import "testing"

// Key names say credential by their last word; paths to, references to and
// settings about a credential do not.
func TestCredentialKey(t *testing.T) {
	for key, want := range map[string]bool{
		"password": true, "smtp_auth_password": true, "adminPassword": true, "client_secret": true,
		"bot_token": true, "bearer-token": true, "credentials": true, "api_key": true, "routingKey": true,
		"ACCESS_KEY": true, "auth": true, "apikey": true, "passphrase": true,
		"password_file": false, "bearer_token_file": false, "existingSecret": false, "secretName": false,
		"secretRef": false, "token_ttl": false, "token_url": false, "sort_key": false, "key": false,
		"smtp_auth_username": false, "auth_type": false, "": false,
	} {
		if got := CredentialKey(key); got != want {
			t.Errorf("CredentialKey(%q) = %v, want %v", key, got, want)
		}
	}
}

// Random strings are tokens; identifiers, words, hostnames and versions are not.
func TestRandomString(t *testing.T) {
	for s, want := range map[string]bool{
		"q8Zr2vLx9TfK3mWp7YbN4cHd": true, "0123456789abcdef0123456789abcdef": true,
		"6ba7b810-9dad-11d1-80b4-00c04fd430c8": false, "kube-prometheus-stack-alertmanager": false,
		"alertmanager-main-0.monitoring.svc": false, "short1": false, "v0.74.0-rc.1-distroless": false,
	} {
		if got := randomString(s); got != want {
			t.Errorf("randomString(%q) = %v, want %v", s, got, want)
		}
	}
}
