/** The office a deployment serves: named on every notice and letter, with the account employers pay into. */
export interface OfficeSettings {
  officeName: string;
  collectionAccountNumber: string;
  collectionAccountName: string;
  collectionAccountBank: string;
}

/** The variables `functions/shared/config.ts` reads them from. */
export function officeEnvironment(office: OfficeSettings): Record<string, string> {
  return {
    OFFICE_NAME: office.officeName,
    COLLECTION_ACCOUNT_NUMBER: office.collectionAccountNumber,
    COLLECTION_ACCOUNT_NAME: office.collectionAccountName,
    COLLECTION_ACCOUNT_BANK: office.collectionAccountBank,
  };
}
