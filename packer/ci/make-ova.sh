#!/bin/sh
# Pack an OVA without VirtualBox: the system disk and the data disk as streamOptimized VMDKs,
# an OVF 1.0 descriptor (2 CPUs, 4 GB, SATA, a NAT network card), and a SHA-256 manifest, in a
# ustar archive with the descriptor first. The release OVA comes from Packer's virtualbox-iso
# build (which also carries the NAT port forwards); this one is for CI and tests.
# Usage: make-ova.sh SYSTEM.raw DATA.raw OUT.ova
set -eu

SYSTEM=${1:?usage: make-ova.sh SYSTEM.raw DATA.raw OUT.ova}
DATA=${2:?usage: make-ova.sh SYSTEM.raw DATA.raw OUT.ova}
OUT=${3:?usage: make-ova.sh SYSTEM.raw DATA.raw OUT.ova}
NAME=MasterTemplate
command -v qemu-img >/dev/null 2>&1 || { echo "make-ova.sh: qemu-img missing (apt-get install qemu-utils)" >&2; exit 1; }

work=$(mktemp -d "$(dirname "$OUT")/ova.XXXXXX")
trap 'rm -rf "$work"' EXIT

qemu-img convert -O vmdk -o subformat=streamOptimized "$SYSTEM" "$work/$NAME-disk001.vmdk"
qemu-img convert -O vmdk -o subformat=streamOptimized "$DATA" "$work/$NAME-disk002.vmdk"
capacity() { qemu-img info --output=json "$1" | sed -n 's/.*"virtual-size": *\([0-9]*\).*/\1/p' | head -n 1; }
cap1=$(capacity "$SYSTEM")
cap2=$(capacity "$DATA")

cat > "$work/$NAME.ovf" <<OVF
<?xml version="1.0" encoding="UTF-8"?>
<Envelope ovf:version="1.0" xml:lang="en-US" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <References>
    <File ovf:id="file1" ovf:href="$NAME-disk001.vmdk"/>
    <File ovf:id="file2" ovf:href="$NAME-disk002.vmdk"/>
  </References>
  <DiskSection>
    <Info>The system disk and the data disk (/data/scratch)</Info>
    <Disk ovf:capacity="$cap1" ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
    <Disk ovf:capacity="$cap2" ovf:diskId="vmdisk2" ovf:fileRef="file2" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <NetworkSection>
    <Info>Logical networks used in the package</Info>
    <Network ovf:name="NAT">
      <Description>Logical network used by this appliance.</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="$NAME">
    <Info>MagickBox, a DICOM processing appliance</Info>
    <OperatingSystemSection ovf:id="96">
      <Info>The kind of installed guest operating system</Info>
      <Description>Debian_64</Description>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements for a virtual machine</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>$NAME</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>virtualbox-2.2</vssd:VirtualSystemType>
      </System>
      <Item>
        <rasd:Caption>2 virtual CPU</rasd:Caption>
        <rasd:Description>Number of virtual CPUs</rasd:Description>
        <rasd:ElementName>2 virtual CPU</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>2</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AllocationUnits>MegaBytes</rasd:AllocationUnits>
        <rasd:Caption>4096 MB of memory</rasd:Caption>
        <rasd:Description>Memory Size</rasd:Description>
        <rasd:ElementName>4096 MB of memory</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>4096</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:Address>0</rasd:Address>
        <rasd:Caption>sataController0</rasd:Caption>
        <rasd:Description>SATA Controller</rasd:Description>
        <rasd:ElementName>sataController0</rasd:ElementName>
        <rasd:InstanceID>3</rasd:InstanceID>
        <rasd:ResourceSubType>AHCI</rasd:ResourceSubType>
        <rasd:ResourceType>20</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>0</rasd:AddressOnParent>
        <rasd:Caption>disk1</rasd:Caption>
        <rasd:Description>Disk Image</rasd:Description>
        <rasd:ElementName>disk1</rasd:ElementName>
        <rasd:HostResource>/disk/vmdisk1</rasd:HostResource>
        <rasd:InstanceID>4</rasd:InstanceID>
        <rasd:Parent>3</rasd:Parent>
        <rasd:ResourceType>17</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>1</rasd:AddressOnParent>
        <rasd:Caption>disk2</rasd:Caption>
        <rasd:Description>Disk Image</rasd:Description>
        <rasd:ElementName>disk2</rasd:ElementName>
        <rasd:HostResource>/disk/vmdisk2</rasd:HostResource>
        <rasd:InstanceID>5</rasd:InstanceID>
        <rasd:Parent>3</rasd:Parent>
        <rasd:ResourceType>17</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Caption>Ethernet adapter on 'NAT'</rasd:Caption>
        <rasd:Connection>NAT</rasd:Connection>
        <rasd:ElementName>Ethernet adapter on 'NAT'</rasd:ElementName>
        <rasd:InstanceID>6</rasd:InstanceID>
        <rasd:ResourceSubType>E1000</rasd:ResourceSubType>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
OVF
if command -v xmllint >/dev/null 2>&1; then xmllint --noout "$work/$NAME.ovf"; fi

(
  cd "$work"
  for f in "$NAME.ovf" "$NAME-disk001.vmdk" "$NAME-disk002.vmdk"; do
    echo "SHA256($f)= $(sha256sum "$f" | cut -d' ' -f1)"
  done > "$NAME.mf"
  tar --format=ustar -cf "$NAME.ova.part" "$NAME.ovf" "$NAME.mf" "$NAME-disk001.vmdk" "$NAME-disk002.vmdk"
)
mv "$work/$NAME.ova.part" "$OUT"
echo "OVA ready: $OUT ($(du -h "$OUT" | cut -f1))"
