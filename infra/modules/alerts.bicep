// Alerts on the gateway's health, evaluated over Application Insights data:
// - failure rate: share of failed requests (success == false: 5xx and unhandled errors),
// - latency: 95th percentile of request duration,
// - rate limiting: requests the gateway itself rejected (the gateway.ratelimit.rejections metric;
//   a 429 passed through from a backend is not counted).
// Log alerts, not metric alerts: a metric alert can watch the requests/failed count and the
// requests/duration average, but neither a rate nor a percentile. Requests without a URL are
// timer invocations (the health probe) and are left out.

@description('Prefix of the alert rule names.')
param namePrefix string

@description('Name of the action group created when alertEmailAddress is set.')
param actionGroupName string

@description('Azure region of the alert rules.')
param location string

@description('Tags for the resources.')
param tags object

@description('Application Insights component the alerts query.')
param applicationInsightsName string

@description('E-mail address notified by the alerts; empty creates no action group.')
param alertEmailAddress string

@minValue(1)
@maxValue(100)
@description('Failure-rate threshold in percent.')
param failureRateThresholdPercent int

@minValue(1)
@description('p95 latency threshold in milliseconds.')
param latencyP95ThresholdMs int

@minValue(1)
@description('Rate-limit rejections per window that raise the alert.')
param rateLimitRejectionThreshold int

@minValue(1)
@description('Fewest requests in a window before the failure-rate and latency alerts judge it; keeps a handful of requests at night from paging anyone.')
param minimumRequestsPerWindow int = 20

var sendEmail = !empty(alertEmailAddress)

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (sendEmail) {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'gateway'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

resource failureRateAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-failure-rate'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Gateway failure rate above ${failureRateThresholdPercent}%'
    description: 'More than ${failureRateThresholdPercent}% of gateway requests failed in the last 15 minutes (at least ${minimumRequestsPerWindow} requests). Open the FunctionsGateway workbook to see which route and backend.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    // The requests table does not exist until the first telemetry arrives.
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'requests | where isnotempty(url) | summarize Total = count(), Failed = countif(success == false) | where Total >= ${minimumRequestsPerWindow} | extend FailureRatePercent = 100.0 * Failed / Total'
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'FailureRatePercent'
          operator: 'GreaterThan'
          threshold: failureRateThresholdPercent
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: sendEmail ? [actionGroup.id] : []
    }
  }
}

resource latencyAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-latency-p95'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Gateway p95 latency above ${latencyP95ThresholdMs} ms'
    description: 'The 95th percentile of gateway request duration exceeded ${latencyP95ThresholdMs} ms in the last 15 minutes (at least ${minimumRequestsPerWindow} requests). Open the FunctionsGateway workbook to see which route and backend.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'requests | where isnotempty(url) | summarize Total = count(), P95DurationMs = percentile(duration, 95) | where Total >= ${minimumRequestsPerWindow}'
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'P95DurationMs'
          operator: 'GreaterThan'
          threshold: latencyP95ThresholdMs
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: sendEmail ? [actionGroup.id] : []
    }
  }
}

resource rateLimitAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-ratelimit-rejections'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Gateway rate-limit rejections above ${rateLimitRejectionThreshold}'
    description: 'The gateway answered more than ${rateLimitRejectionThreshold} requests with 429 for rate limiting in the last 15 minutes (metric gateway.ratelimit.rejections). The route is in the customDimensions of the metric and in the workbook.'
    severity: 3
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "gateway.ratelimit.rejections" | summarize Rejections = sum(valueSum)'
          timeAggregation: 'Total'
          metricMeasureColumn: 'Rejections'
          operator: 'GreaterThan'
          threshold: rateLimitRejectionThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: sendEmail ? [actionGroup.id] : []
    }
  }
}
