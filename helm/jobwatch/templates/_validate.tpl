{{/*
Fails the render when values contradict each other or would start pods that
jobwatch stops at once. helm lint logs a fail at INFO level and goes on, so
helm template and helm install are where these checks stop a release.
*/}}
{{- define "jobwatch.validate" -}}
{{- /*
helm lint (v4.3.2) renders with neither .Release.IsInstall nor IsUpgrade set,
and the default values name no Redis on purpose. Install, upgrade and
template set one of the two, so they still fail without a Redis.
*/ -}}
{{- $installing := or .Release.IsInstall .Release.IsUpgrade -}}
{{- if and $installing (not .Values.redis.url) (not .Values.redis.internal.enabled) (not .Values.existingSecret) -}}
{{- fail "redis.url is empty, redis.internal.enabled is false and existingSecret is empty, so jobwatch has no Redis: set redis.url (redis://, rediss:// or redis+sentinel://), or redis.internal.enabled=true, or put REDIS_URL into existingSecret" -}}
{{- end -}}
{{- if and .Values.redis.url .Values.redis.internal.enabled -}}
{{- fail "redis.url and redis.internal.enabled are both set: choose one Redis" -}}
{{- end -}}
{{- if and .Values.existingSecret (include "jobwatch.hasRedisPassword" .Values.redis.url) -}}
{{- fail "redis.url contains a password and existingSecret is set, so the chart would write the password into the Deployment as a plain value: put REDIS_URL into the Secret named by existingSecret and leave redis.url empty" -}}
{{- end -}}
{{- if and .Values.slack.botToken (not .Values.slack.channel) -}}
{{- fail "slack.botToken is set but slack.channel is empty: set the default channel id (C0123456) or name (#alerts)" -}}
{{- end -}}
{{- if and .Values.slack.botToken (not .Values.slack.signingSecret) (not .Values.slack.appToken) -}}
{{- fail "slack.botToken is set but neither slack.signingSecret (requests over HTTP) nor slack.appToken (Socket Mode) is, so jobwatch could not verify Slack's requests" -}}
{{- end -}}
{{- if and .Values.existingSecret (or .Values.slack.botToken .Values.slack.signingSecret .Values.slack.appToken) -}}
{{- fail "existingSecret is set together with slack tokens in values: keep the tokens in the Secret only" -}}
{{- end -}}
{{- if and .Values.rbac.create (not .Values.serviceAccount.create) (not .Values.serviceAccount.name) -}}
{{- fail "rbac.create is true but serviceAccount.create is false and serviceAccount.name is empty: name the ServiceAccount the RBAC binds" -}}
{{- end -}}
{{- include "jobwatch.validateWatchers" . -}}
{{- include "jobwatch.validateExtraEnv" . -}}
{{- $_ := include "jobwatch.impersonatedIdentities" . -}}
{{- end -}}

{{/*
Without leader election every watcher replica watches and queues each failure,
so more than one would post every alert more than once.
*/}}
{{- define "jobwatch.validateWatchers" -}}
{{- $key := ternary "roles.cluster.replicas" "replicaCount" .Values.roles.split -}}
{{- $replicas := int (ternary .Values.roles.cluster.replicas .Values.replicaCount .Values.roles.split) -}}
{{- if and (not .Values.config.leaderElection) (gt $replicas 1) -}}
{{- fail (printf "config.leaderElection is false but %s is %d: only one watcher may run without leader election; set %s: 1 or leave leaderElection on" $key $replicas $key) -}}
{{- end -}}
{{- end -}}

{{/*
The variables the templates set, each with the value that sets it. The
kubelet keeps only the last entry of a name, so an extraEnv entry with one of
these names would silently win over, or lose to, the chart's own.
*/}}
{{- define "jobwatch.chartEnvSources" -}}
{{- dict
  "JOBWATCH_ROLES" "roles.split"
  "JOBWATCH_HTTP_PORT" "config.httpPort"
  "JOBWATCH_CLUSTER_NAME" "config.clusterName"
  "JOBWATCH_REDIS_PREFIX" "redis.prefix"
  "JOBWATCH_STUCK_AFTER_SECONDS" "config.stuckAfterSeconds"
  "JOBWATCH_BOOTSTRAP_POST_MAX_AGE_SECONDS" "config.bootstrapPostMaxAgeSeconds"
  "JOBWATCH_STATE_TTL_SECONDS" "config.stateTtlSeconds"
  "JOBWATCH_LOG_TAIL_LINES" "config.logTailLines"
  "JOBWATCH_LOG_LIMIT_BYTES" "config.logLimitBytes"
  "JOBWATCH_WATCH_STALL_SECONDS" "config.watchStallSeconds"
  "LOG_LEVEL" "config.logLevel"
  "JOBWATCH_SHUTDOWN_GRACE_SECONDS" "config.shutdownGraceSeconds"
  "JOBWATCH_LEADER_ELECTION" "config.leaderElection"
  "JOBWATCH_LEASE_NAMESPACE" "the release namespace (helm install --namespace)"
  "JOBWATCH_NAMESPACES" "rbac.namespaces"
  "SLACK_CHANNEL" "slack.channel"
  "SLACK_API_URL" "slack.apiUrl"
  "SLACK_BOT_TOKEN" "slack.botToken or the SLACK_BOT_TOKEN key of existingSecret"
  "SLACK_SIGNING_SECRET" "slack.signingSecret or the SLACK_SIGNING_SECRET key of existingSecret"
  "SLACK_APP_TOKEN" "slack.appToken or the SLACK_APP_TOKEN key of existingSecret"
  "REDIS_URL" "redis.url, redis.internal.enabled or the REDIS_URL key of existingSecret"
  "JOBWATCH_ROUTES_FILE" "routes"
  "JOBWATCH_POLICY_FILE" "policy"
  "JOBWATCH_LOG_PATTERNS_FILE" "logPatterns"
  | toJson -}}
{{- end -}}

{{/*
Fails on an extraEnv entry that repeats a variable the chart sets, or that
writes a Slack token or a Redis password into the Deployment as plain text,
where anyone who may read Deployments can see it.
*/}}
{{- define "jobwatch.validateExtraEnv" -}}
{{- $sources := include "jobwatch.chartEnvSources" . | fromJson -}}
{{- $secretKeys := list "SLACK_BOT_TOKEN" "SLACK_SIGNING_SECRET" "SLACK_APP_TOKEN" "REDIS_URL" -}}
{{- range $index, $variable := .Values.extraEnv -}}
{{- $name := toString $variable.name -}}
{{- $plain := hasKey $variable "value" -}}
{{- $where := printf "extraEnv[%d] (%s)" $index $name -}}
{{- if and $plain (has $name $secretKeys) -}}
{{- fail (printf "%s is a secret written as a plain value, which anyone who may read the Deployment can see: set %s instead and remove the entry; the chart passes tokens and Redis passwords to the pods from a Secret" $where (get $sources $name)) -}}
{{- else if hasKey $sources $name -}}
{{- fail (printf "%s names a variable the chart sets itself: set %s instead and remove the entry" $where (get $sources $name)) -}}
{{- else if and $plain (include "jobwatch.hasRedisPassword" (toString $variable.value)) -}}
{{- fail (printf "%s holds a Redis URL with a password as a plain value, which anyone who may read the Deployment can see: set redis.url, which the chart keeps in its Secret, or put the URL into a key of existingSecret and use valueFrom.secretKeyRef" $where) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
"true" when a Redis URL carries a password: user:password@ before the host, or
a password or sentinelPassword query parameter; "" otherwise.
*/}}
{{- define "jobwatch.hasRedisPassword" -}}
{{- $url := . | default "" -}}
{{- if regexMatch "^(rediss?|redis\\+sentinel)://[^/@]*:[^/@]+@" $url -}}true
{{- else if regexMatch "^(rediss?|redis\\+sentinel)://[^?]*\\?(.*&)?(password|sentinelPassword)=[^&]" $url -}}true
{{- end -}}
{{- end -}}
