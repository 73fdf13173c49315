{{/*
A jobwatch Deployment. Call with (list $ COMPONENT REPLICAS) where COMPONENT is
"all" (every role), "cluster" (watcher and worker) or "slack" (notifier).
Only the Slack-facing Deployment runs without Kubernetes credentials.
*/}}
{{- define "jobwatch.deployment" -}}
{{- $ := index . 0 -}}
{{- $component := index . 1 -}}
{{- $replicas := index . 2 -}}
{{- $values := $.Values -}}
{{- $name := include "jobwatch.fullname" $ -}}
{{- if ne $component "all" }}{{ $name = printf "%s-%s" $name $component }}{{ end -}}
{{- $label := ternary "all-in-one" $component (eq $component "all") -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  namespace: {{ $.Release.Namespace }}
  labels:
    {{- include "jobwatch.componentLabels" (list $ $label) | nindent 4 }}
spec:
  replicas: {{ $replicas }}
  selector:
    matchLabels:
      {{- include "jobwatch.componentSelector" (list $ $label) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "jobwatch.componentLabels" (list $ $label) | nindent 8 }}
        {{- with $values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        {{- /* Env values from the Secret are read once at start, so a change restarts the pods. The ConfigMap is left out, because jobwatch re-reads its files. */}}
        checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") $ | sha256sum }}
        {{- with $values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- if eq $component "slack" }}
      serviceAccountName: {{ include "jobwatch.slackServiceAccountName" $ }}
      automountServiceAccountToken: false
      {{- else }}
      serviceAccountName: {{ include "jobwatch.serviceAccountName" $ }}
      {{- end }}
      {{- with $values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $values.podSecurityContext | nindent 8 }}
      # Leaves jobwatch its shutdown grace to finish queue jobs after SIGTERM, and
      # 5 seconds more to close its connections, before the kubelet kills it.
      terminationGracePeriodSeconds: {{ add (int64 $values.config.shutdownGraceSeconds) 5 }}
      containers:
        - name: jobwatch
          image: {{ include "jobwatch.image" $ | quote }}
          imagePullPolicy: {{ $values.image.pullPolicy }}
          {{- with $values.args }}
          args:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          env:
            {{- include "jobwatch.env" (list $ $component) | nindent 12 }}
          ports:
            - name: http
              containerPort: {{ $values.config.httpPort | int64 }}
              protocol: TCP
          livenessProbe:
            httpGet: { path: /healthz, port: http }
            periodSeconds: 20
            failureThreshold: 3
          readinessProbe:
            httpGet: { path: /readyz, port: http }
            periodSeconds: 10
            failureThreshold: 3
          startupProbe:
            {{- /* The watcher's first list of every Job and pod can take a while on a big cluster. */}}
            httpGet: { path: /healthz, port: http }
            periodSeconds: 5
            failureThreshold: 60
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          securityContext:
            {{- toYaml $values.securityContext | nindent 12 }}
          volumeMounts:
            - name: config
              mountPath: {{ include "jobwatch.configDir" $ }}
              readOnly: true
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: config
          configMap:
            name: {{ include "jobwatch.fullname" $ }}
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
      {{- with $values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}
