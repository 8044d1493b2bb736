// The storage account the Functions host uses (AzureWebJobsStorage, the Flex deployment package)
// and the gateway's tables. Shared-key access is disabled: every caller uses Entra ID.

@minLength(3)
@maxLength(24)
@description('Storage account name (3-24 lowercase letters and digits).')
param name string

@description('Azure region.')
param location string

@description('Tags for the account.')
param tags object

@minLength(3)
@maxLength(63)
@description('Blob container that holds the deployment package Flex Consumption runs from.')
param deploymentContainerName string

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    dnsEndpointType: 'Standard'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-06-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2026-06-01' = {
  parent: storage
  name: 'default'
}

// The gateway's tables (names are the defaults of the Gateway__Tables__* settings).
// Route rows, edited by operators.
resource routesTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = {
  parent: tableService
  name: 'Routes'
}

// Backend pools, edited by operators.
resource backendsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = {
  parent: tableService
  name: 'Backends'
}

// Health-probe results, written by the gateway.
resource backendHealthTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = {
  parent: tableService
  name: 'BackendHealth'
}

// Hashed API keys, edited by operators.
resource apiKeysTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = {
  parent: tableService
  name: 'ApiKeys'
}

// Rate-limit counters, written by the gateway.
resource rateLimitsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = {
  parent: tableService
  name: 'RateLimits'
}

// The last valid version of every Routes and Backends row, written by the gateway and shared by its instances.
resource lastValidRowsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = {
  parent: tableService
  name: 'LastValidRows'
}

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output tableEndpoint string = storage.properties.primaryEndpoints.table
output deploymentContainerName string = deploymentContainer.name
