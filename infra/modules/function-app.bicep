// The Flex Consumption plan and the function app that runs the gateway (.NET 10 isolated worker).
// Only minTlsVersion goes into siteConfig: Flex rejects most other siteConfig properties, and the
// runtime, scale and deployment settings live in functionAppConfig instead.

@description('Function app name; also its host name (<name>.azurewebsites.net).')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region.')
param location string

@description('Tags for the plan and the app; the app also gets azd-service-name.')
param tags object

@description('User-assigned identity the app runs as.')
param identityName string

@description('Storage account for AzureWebJobsStorage, the deployment package and the gateway tables.')
param storageAccountName string

@description('Blob container in that account that holds the deployment package.')
param deploymentContainerName string

@description('Application Insights component for telemetry.')
param applicationInsightsName string

@minValue(40)
@maxValue(1000)
@description('Most instances the app scales out to.')
param maximumInstanceCount int

@allowed([
  512
  2048
  4096
])
@description('Memory per instance in MB.')
param instanceMemoryMB int

@minValue(1)
@maxValue(1000)
@description('Concurrent HTTP requests per instance.')
param httpPerInstanceConcurrency int

@minValue(0)
@maxValue(100)
@description('Always-ready instances of the HTTP group; 0 for none.')
param alwaysReadyInstanceCount int

@description('NCRONTAB schedule of the health-probe timer function (app setting HealthProbeSchedule).')
param healthProbeSchedule string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    // Linux.
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  // azd finds the app to deploy the 'api' service (azure.yaml) to by this tag.
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
        alwaysReady: alwaysReadyInstanceCount > 0
          ? [
              {
                name: 'http'
                instanceCount: alwaysReadyInstanceCount
              }
            ]
          : []
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// A full PUT: settings added by hand in the portal are replaced on the next `azd provision`.
// Never set here: FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE,
// WEBSITE_CONTENT* (Flex takes the runtime from functionAppConfig), any AzureWebJobsStorage
// connection string, and Gateway__Storage__ConnectionString (local development only).
resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: {
    // Host storage through the identity. accountName, not blobServiceUri (azure-functions-host#11787).
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identity.properties.clientId
    // Application Insights with Entra ingestion; the connection string identifies the component
    // and carries no credential once local auth is disabled.
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
    // DefaultAzureCredential in the gateway picks the user-assigned identity from this.
    AZURE_CLIENT_ID: identity.properties.clientId
    Gateway__Storage__TableEndpoint: storage.properties.primaryEndpoints.table
    HealthProbeSchedule: healthProbeSchedule
    // The catch-all route must also serve '/', which the host would otherwise answer itself.
    AzureWebJobsDisableHomepage: 'true'
  }
}

// Basic-auth publishing off: azd deploys with an Entra token.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = functionApp.name
output uri string = 'https://${functionApp.properties.defaultHostName}'
