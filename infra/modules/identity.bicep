// The function app's identity. User-assigned, so its clientId is known before the site exists
// and can go into the app settings (AzureWebJobsStorage__clientId, AZURE_CLIENT_ID).

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags for the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
