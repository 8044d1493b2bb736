// FunctionsGateway on Azure Functions Flex Consumption, provisioned by `azd up`.
// Subscription scope: creates the resource group, then one module per concern.
// No keys anywhere: the function app reaches storage and Application Insights through a
// user-assigned managed identity (see docs/deploy.md).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used in resource names and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Azure region for every resource. Flex Consumption is not available everywhere: az functionapp list-flexconsumption-locations.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of an operator (normally the user running azd, AZURE_PRINCIPAL_ID) granted Storage Table Data Contributor so they can edit route rows. Empty grants nothing.')
param principalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
@description('Kind of principal in principalId.')
param principalType string = 'User'

@description('E-mail address that receives the gateway alerts. Empty creates the alert rules without an action group (they still show in the portal).')
param alertEmailAddress string = ''

@minValue(40)
@maxValue(1000)
@description('Flex Consumption: the most instances the app scales out to.')
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
@description('Flex Consumption: memory per instance in MB.')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Flex Consumption: concurrent HTTP requests per instance. The platform default (16 at 2048 MB) suits CPU-bound work; a gateway mostly waits on backends, so it is raised.')
param httpPerInstanceConcurrency int = 100

@minValue(0)
@maxValue(100)
@description('Flex Consumption: instances of the HTTP group kept always ready (no cold start). 0 keeps the app at zero cost when idle; each always-ready instance is billed while idle.')
param alwaysReadyInstanceCount int = 0

@minLength(1)
@description('NCRONTAB schedule (six fields, with seconds) of the backend health-probe timer function.')
param healthProbeSchedule string = '*/30 * * * * *'

@minValue(1)
@maxValue(100)
@description('Alert when more than this percentage of gateway requests fail over the alert window.')
param failureRateThresholdPercent int = 5

@minValue(1)
@description('Alert when the 95th percentile of gateway request duration exceeds this many milliseconds.')
param latencyP95ThresholdMs int = 2000

@minValue(1)
@description('Alert when the gateway rejects more than this many requests for rate limiting over the alert window.')
param rateLimitRejectionThreshold int = 100

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

// Names are computed here, not read from module outputs, so What-If can predict every resource.
var identityName = '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
var logAnalyticsName = '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
var applicationInsightsName = '${abbrs.insightsComponents}${resourceToken}'
var storageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
var deploymentContainerName = 'app-package-api-${take(resourceToken, 7)}'
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'

resource resourceGroup 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: resourceGroup
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: resourceGroup
  params: {
    logAnalyticsName: logAnalyticsName
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: resourceGroup
  params: {
    name: storageAccountName
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: resourceGroup
  dependsOn: [
    identity
    storage
    monitoring
  ]
  params: {
    storageAccountName: storageAccountName
    applicationInsightsName: applicationInsightsName
    identityName: identityName
    operatorPrincipalId: principalId
    operatorPrincipalType: principalType
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: resourceGroup
  // The host reads storage and sends telemetry as soon as the app starts: grant the roles first.
  dependsOn: [
    rbac
  ]
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityName: identityName
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: applicationInsightsName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    alwaysReadyInstanceCount: alwaysReadyInstanceCount
    healthProbeSchedule: healthProbeSchedule
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: resourceGroup
  dependsOn: [
    monitoring
  ]
  params: {
    namePrefix: '${abbrs.insightsScheduledQueryRules}${resourceToken}'
    actionGroupName: '${abbrs.insightsActionGroups}${resourceToken}'
    location: location
    tags: tags
    applicationInsightsName: applicationInsightsName
    alertEmailAddress: alertEmailAddress
    failureRateThresholdPercent: failureRateThresholdPercent
    latencyP95ThresholdMs: latencyP95ThresholdMs
    rateLimitRejectionThreshold: rateLimitRejectionThreshold
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  scope: resourceGroup
  dependsOn: [
    monitoring
  ]
  params: {
    // Workbook display names must be unique in the subscription.
    displayName: 'FunctionsGateway (${environmentName})'
    location: location
    tags: tags
    applicationInsightsName: applicationInsightsName
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_APPLICATION_INSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_LOG_ANALYTICS_WORKSPACE_NAME string = monitoring.outputs.logAnalyticsName
output AZURE_WORKBOOK_ID string = workbook.outputs.id
