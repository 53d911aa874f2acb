package manifest

import "testing"

// TestValueFamilies pins, family by family, what ClassifyText makes of a
// value: each placeholder and reference family with an example, and beside it
// a real value of a like shape that must stay a value (tok-1 is no stand-in
// of one repeated character; seal would leave it raw).
func TestValueFamilies(t *testing.T) {
	for _, tc := range []struct {
		family, value string
		want          ValueKind
	}{
		{"instruction", "REPLACE_ME", UnfilledValue},
		{"instruction after text", "change-me-in-production", UnfilledValue},
		{"instruction after a token's prefix", "ghp_REPLACE_ME", UnfilledValue},
		{"numbered instruction", "changeme2", UnfilledValue},
		{"instruction at the end", "n8n-encryption-key-change-me", UnfilledValue},
		{"a word ending like one", "exchangeme", PlainValue},
		{"a sentence about the value", "this is my decoded secret", UnfilledValue},
		{"naming what goes there", "super-secret-value-123", UnfilledValue},
		{"URL whose password names what goes there", "postgres://user:pw@db:5432/app", UnfilledValue},
		{"a token's prefix before capitals naming it", "nvapi-NVKEY", UnfilledValue},
		{"a token's prefix before a stand-in word", "sk_test_placeholder", UnfilledValue},
		{"a token's prefix before a random tail", "nvapi-Xq7pL2vN9rT4wK8mZ3", PlainValue},
		{"instruction after a token's prefix", "ops_replace_me", UnfilledValue},
		{"angle-bracket slot", "<your-token>", UnfilledValue},
		{"nothing", "n/a", UnfilledValue},
		{"keyless backend", "sk-no-key-required", UnfilledValue},
		{"keyless backend", "ollama", UnfilledValue},
		{"a token no one reads", "unused-local-analysis", UnfilledValue},
		{"the Kubernetes docs' example password", "1f2d1e2e67df", UnfilledValue},
		{"one repeated character", "sk-111111111111", UnfilledValue},
		{"one repeated character", "sk-1111", UnfilledValue},
		{"numbered token, not repeated", "tok-1", PlainValue},
		{"numbered token, not repeated", "tok-11", PlainValue},
		{"numbered token, not repeated", "pass-1", PlainValue},
		{"upstream example", "example_pass", UnfilledValue},
		{"AWS documented example", "AKIAIOSFODNN7EXAMPLE", UnfilledValue},
		{"Flux substitution", "${DB_PASSWORD}", PlaceholderValue},
		{"Helm action", "postgres://app:{{ .Values.password }}@db/app", PlaceholderValue},
		{"1Password", "op://vault/item/field", PlaceholderValue},
		{"vals", "ref+vault://secret/app#password", PlaceholderValue},
		{"secret manager URI", "secret://op_connect_token", PlaceholderValue},
		{"secret manager URI", "azure://homelab/flux/password", PlaceholderValue},
		{"autoconf", "@MQTT_PASSWORD@", PlaceholderValue},
		{"Nix substituteAll", "@agekey@", PlaceholderValue},
		{"an address, not a reference", "admin@example.org", PlainValue},
		{"an environment lookup, escaped for Flux", "$$GF_TELEGRAM_BOT_TOKEN", PlaceholderValue},
		{"secret manager URI", "azkv://keyvault-kube/azurekv#AZURE_CLIENT_SECRET", PlaceholderValue},
		{"Kometa", "<<PLEX_TOKEN>>", PlaceholderValue},
		{"URL with a literal password", "postgres://app:Xq7pL2vN9r@db/app", PlainValue},
		{"URL of quoted references", `postgres://"${PG_USER}":"${PG_PASSWORD}"@db:5432/app`, PlaceholderValue},
		{"URL with a quoted literal", `postgres://"app":"Xq7pL2vN9r"@db:5432/${DB}`, PlainValue},
		{"secret manager name in prose", "vault password Xq7pL2vN9r", PlainValue},
		{"a real password", "Xq7pL2vN9rT4wK8m", PlainValue},
		{"known_hosts: public host keys", "github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=", PublicValue},
		{"a password after a host", "github.com Xq7pL2vN9rT4wK8m", PlainValue},
	} {
		if got := ClassifyText(tc.value, ValueContext{}); got != tc.want {
			t.Errorf("%s: ClassifyText(%q) = %v, want %v", tc.family, tc.value, got, tc.want)
		}
	}
}
