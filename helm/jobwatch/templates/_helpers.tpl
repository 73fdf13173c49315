{{/* Chart name, shortened to the 63 characters a label value allows. */}}
{{- define "jobwatch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Full name of the release's objects. It is cut to 52 characters, so that the
longest suffix the chart adds ("-impersonate") still fits the 63 characters of
a label value.
*/}}
{{- define "jobwatch.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "jobwatch.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "jobwatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "jobwatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "jobwatch.labels" -}}
helm.sh/chart: {{ include "jobwatch.chart" . }}
{{ include "jobwatch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Labels of one component: all-in-one, cluster, slack or redis. Call with (list $ "cluster"). */}}
{{- define "jobwatch.componentLabels" -}}
{{ include "jobwatch.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "jobwatch.componentSelector" -}}
{{ include "jobwatch.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* ServiceAccount of the pods that read the cluster. */}}
{{- define "jobwatch.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "jobwatch.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* ServiceAccount of the Slack-facing pods of a split install; it has no RBAC. */}}
{{- define "jobwatch.slackServiceAccountName" -}}
{{- printf "%s-slack" (include "jobwatch.fullname" .) -}}
{{- end -}}

{{- define "jobwatch.secretName" -}}
{{- default (include "jobwatch.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "jobwatch.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/*
Name of the Lease the watcher replicas compete for, computed from the cluster
name as leaseName() in src/watch/active-watcher.ts computes it.
*/}}
{{- define "jobwatch.leaseName" -}}
{{- $dashed := regexReplaceAll "[^a-z0-9.-]" (lower .Values.config.clusterName) "-" -}}
{{- $cleaned := regexReplaceAll "[^a-z0-9]+$" $dashed "" -}}
{{- printf "jobwatch-watcher-%s" ($cleaned | default "default") -}}
{{- end -}}

{{/* Folder the ConfigMap is mounted at; jobwatch re-reads the files in it. */}}
{{- define "jobwatch.configDir" -}}/etc/jobwatch/config{{- end -}}

{{/*
The Kubernetes users and groups the action policy maps Slack users to, as a
dict {users: [...], groups: [...]}, each sorted and without duplicates.
Only these may be impersonated, as impersonationRules() in
src/actions/policy.ts computes them for deploy/rbac/impersonate.yaml.
Fails on an empty name or one under system:, which jobwatch rejects too.
*/}}
{{- define "jobwatch.impersonatedIdentities" -}}
{{- $users := list -}}
{{- $groups := list -}}
{{- range $index, $rule := (.Values.policy.rules | default list) -}}
{{- with $rule.kubernetes -}}
{{- $path := printf "policy.rules[%d].kubernetes" $index -}}
{{- include "jobwatch.checkIdentity" (list (printf "%s.user" $path) .user "slack:platform-admin") -}}
{{- $users = append $users .user -}}
{{- range $groupIndex, $group := (.groups | default list) -}}
{{- include "jobwatch.checkIdentity" (list (printf "%s.groups[%d]" $path $groupIndex) $group "jobwatch:oncall") -}}
{{- $groups = append $groups $group -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- dict "users" ($users | uniq | sortAlpha) "groups" ($groups | uniq | sortAlpha) | toJson -}}
{{- end -}}

{{/*
Fails unless a Kubernetes user or group name may be impersonated. Call with
(list PATH NAME EXAMPLE), where EXAMPLE is a valid name the message suggests. Names under system: are the API server's own: service
accounts, nodes and groups such as system:masters, which has every right, so
an impersonate grant on them would hand jobwatch those rights.
*/}}
{{- define "jobwatch.checkIdentity" -}}
{{- $path := index . 0 -}}
{{- $name := index . 1 | default "" | toString -}}
{{- $example := index . 2 -}}
{{- if eq $name "" -}}
{{- fail (printf "%s is empty: name the Kubernetes identity that jobwatch impersonates for this rule, such as %s, and bind its Roles" $path $example) -}}
{{- else if hasPrefix "system:" $name -}}
{{- fail (printf "%s is %q, which is reserved: names under system: belong to Kubernetes, and jobwatch rejects them; name an identity of your own, such as %s, and bind its Roles" $path $name $example) -}}
{{- end -}}
{{- end -}}

{{/*
Environment variables every jobwatch container gets. Call with
(list $ "all"|"cluster"|"slack"). Slack tokens go only to pods that run the
notifier, and the cluster side gets the default channel for routing.
*/}}
{{- define "jobwatch.env" -}}
{{- $ := index . 0 -}}
{{- $component := index . 1 -}}
{{- $values := $.Values -}}
{{- $roles := dict "all" "all" "cluster" "watcher,worker" "slack" "notifier" -}}
- name: JOBWATCH_ROLES
  value: {{ get $roles $component | quote }}
- name: JOBWATCH_HTTP_PORT
  value: {{ $values.config.httpPort | int64 | quote }}
- name: JOBWATCH_CLUSTER_NAME
  value: {{ $values.config.clusterName | quote }}
- name: JOBWATCH_REDIS_PREFIX
  value: {{ $values.redis.prefix | quote }}
- name: JOBWATCH_STUCK_AFTER_SECONDS
  value: {{ $values.config.stuckAfterSeconds | int64 | quote }}
- name: JOBWATCH_BOOTSTRAP_POST_MAX_AGE_SECONDS
  value: {{ $values.config.bootstrapPostMaxAgeSeconds | int64 | quote }}
- name: JOBWATCH_STATE_TTL_SECONDS
  value: {{ $values.config.stateTtlSeconds | int64 | quote }}
- name: JOBWATCH_LOG_TAIL_LINES
  value: {{ $values.config.logTailLines | int64 | quote }}
- name: JOBWATCH_LOG_LIMIT_BYTES
  value: {{ $values.config.logLimitBytes | int64 | quote }}
- name: JOBWATCH_WATCH_STALL_SECONDS
  value: {{ $values.config.watchStallSeconds | int64 | quote }}
- name: LOG_LEVEL
  value: {{ $values.config.logLevel | quote }}
- name: JOBWATCH_SHUTDOWN_GRACE_SECONDS
  value: {{ $values.config.shutdownGraceSeconds | int64 | quote }}
{{- if ne $component "slack" }}
- name: JOBWATCH_LEADER_ELECTION
  value: {{ $values.config.leaderElection | quote }}
- name: JOBWATCH_LEASE_NAMESPACE
  value: {{ $.Release.Namespace | quote }}
{{- end }}
{{- if $values.rbac.namespaces }}
- name: JOBWATCH_NAMESPACES
  value: {{ join "," $values.rbac.namespaces | quote }}
{{- end }}
{{- if $values.slack.channel }}
- name: SLACK_CHANNEL
  value: {{ $values.slack.channel | quote }}
{{- end }}
{{- if and $values.slack.apiUrl (ne $component "cluster") }}
- name: SLACK_API_URL
  value: {{ $values.slack.apiUrl | quote }}
{{- end }}
{{- if ne $component "cluster" }}
{{- range list "SLACK_BOT_TOKEN" "SLACK_SIGNING_SECRET" "SLACK_APP_TOKEN" }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ include "jobwatch.secretName" $ }}
      key: {{ . }}
      optional: true
{{- end }}
{{- end }}
{{ include "jobwatch.redisUrlEnv" $ }}
{{- range $key, $file := dict "routes" "JOBWATCH_ROUTES_FILE" "policy" "JOBWATCH_POLICY_FILE" "logPatterns" "JOBWATCH_LOG_PATTERNS_FILE" }}
{{- if get $values $key }}
- name: {{ $file }}
  value: {{ printf "%s/%s.yaml" (include "jobwatch.configDir" $) (kebabcase $key) | quote }}
{{- end }}
{{- end }}
{{- with $values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
REDIS_URL: the in-chart Redis, else redis.url as a plain value when an
existing Secret holds the tokens, else the REDIS_URL key of the Secret.
*/}}
{{- define "jobwatch.redisUrlEnv" -}}
- name: REDIS_URL
{{- if .Values.redis.internal.enabled }}
  value: {{ printf "redis://%s-redis.%s.svc:6379" (include "jobwatch.fullname" .) .Release.Namespace | quote }}
{{- else if and .Values.existingSecret .Values.redis.url }}
  value: {{ .Values.redis.url | quote }}
{{- else }}
  valueFrom:
    secretKeyRef:
      name: {{ include "jobwatch.secretName" . }}
      key: REDIS_URL
{{- end }}
{{- end -}}
